// The shared worker and dead-letter suites (worker.suite.ts, dead-letters.suite.ts) on JetStream (a real nats-server at TEST_NATS_URL) and a real PostgreSQL database.
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { createSql } from "../../../lib/db/postgres.ts";
import { createJetStreamTransport } from "../../../lib/messaging/jetstream/transport.ts";
import { DLQ_STREAM } from "../../../lib/messaging/topology.ts";
import type { StreamConfig, Transport } from "../../../lib/messaging/types.ts";
import { createTempDatabase } from "../../../lib/testing/temp-database.ts";
import { deadLetterScenarios } from "../dead-letters/dead-letters.suite.ts";
import type { OpenScenarioEnv } from "../testing/describe-worker.ts";
import { workerScenarios } from "./worker.suite.ts";

const TEST_NATS_URL = process.env.TEST_NATS_URL || "nats://127.0.0.1:4222";

const open: OpenScenarioEnv = async () => {
  const db = await createTempDatabase("notif_worker_js");
  const sql = createSql(db.url, { max: 4 });
  const inner = await createJetStreamTransport({ url: TEST_NATS_URL, name: "notifications-test" }).catch((err: Error) => {
    throw new Error(`NATS with JetStream for tests failed at TEST_NATS_URL (${err.message}). Run scripts/ci/ensure-nats.sh; these tests never skip.`);
  });
  // Each scenario makes its own source stream; they are deleted afterwards (the shared DLQ stream stays, emptied of ours by the harness).
  const created = new Set<string>();
  const transport: Transport = {
    ...inner,
    kind: inner.kind,
    ensureStream: (c: StreamConfig) => {
      if (c.name !== DLQ_STREAM.name) created.add(c.name);
      return inner.ensureStream(c);
    },
  };
  return {
    transport,
    sql,
    cleanup: async () => {
      await inner.close();
      const nc = await connect({ servers: TEST_NATS_URL });
      const jsm = await jetstreamManager(nc);
      for (const s of created) await jsm.streams.delete(s).catch(() => {});
      await nc.close();
      await sql.end({ timeout: 1 });
      await db.drop();
    },
  };
};

workerScenarios("jetstream", open, { stopMayRedeliver: true });
deadLetterScenarios("jetstream", open);
