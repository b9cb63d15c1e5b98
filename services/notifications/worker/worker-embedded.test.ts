// The shared worker and dead-letter suites (worker.suite.ts, dead-letters.suite.ts) on the embedded transport (broker tables in the same temporary PostgreSQL database as the service's).
import { createSql } from "../../../lib/db/postgres.ts";
import { createEmbeddedTransport } from "../../../lib/messaging/embedded/transport.ts";
import { createTempDatabase } from "../../../lib/testing/temp-database.ts";
import { deadLetterScenarios } from "../dead-letters/dead-letters.suite.ts";
import type { OpenScenarioEnv } from "../testing/describe-worker.ts";
import { workerScenarios } from "./worker.suite.ts";

const open: OpenScenarioEnv = async () => {
  const db = await createTempDatabase("notif_worker_emb");
  const sql = createSql(db.url, { max: 6 });
  const transport = await createEmbeddedTransport({ sql, pollIntervalMs: 20 });
  return {
    transport,
    sql,
    cleanup: async () => {
      await transport.close();
      await sql.end({ timeout: 1 });
      await db.drop();
    },
  };
};

workerScenarios("embedded transport", open);
deadLetterScenarios("embedded transport", open);
