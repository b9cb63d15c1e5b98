// Test helper: what a service process under test talks to: a temporary database, and the embedded transport in it or a private nats-server.
import { createSql, type Sql } from "../../../lib/db/postgres.ts";
import { createEmbeddedTransport } from "../../../lib/messaging/embedded/transport.ts";
import { createJetStreamTransport } from "../../../lib/messaging/jetstream/transport.ts";
import { ORDERS_STREAM } from "../../../lib/messaging/topology.ts";
import type { Transport } from "../../../lib/messaging/types.ts";
import { privateNatsServer } from "../../../lib/testing/nats-server.ts";
import { createTempDatabase } from "../../../lib/testing/temp-database.ts";
import { encodeEvent, TRACEPARENT } from "./events.ts";

export type BrokerKind = "embedded" | "jetstream";

export interface ProcessBroker {
  kind: BrokerKind;
  /** DATABASE_URL, and NATS_URL for JetStream, for the service's environment. */
  env: Record<string, string>;
  /** The service's database, for assertions. */
  sql: Sql;
  /** The test's own client of the same broker. */
  transport: Transport;
  /** Publishes order events on orders.<kind>, up to 512 in flight. */
  publish(events: { id: string; type: string }[]): Promise<void>;
  close(): Promise<void>;
}

export async function startProcessBroker(kind: BrokerKind, prefix: string): Promise<ProcessBroker> {
  const db = await createTempDatabase(prefix);
  const sql = createSql(db.url, { max: 4 });
  const nats = kind === "jetstream" ? await privateNatsServer() : undefined;
  const transport = nats ? await createJetStreamTransport({ url: nats.url, name: "test-publisher" }) : await createEmbeddedTransport({ sql });
  await transport.ensureStream(ORDERS_STREAM);
  return {
    kind,
    env: { DATABASE_URL: db.url, ...(nats ? { NATS_URL: nats.url } : {}) },
    sql,
    transport,
    async publish(events) {
      for (let i = 0; i < events.length; i += 512) {
        await Promise.all(
          events.slice(i, i + 512).map((e) =>
            transport.publish({
              subject: e.type === "order.cancelled" ? "orders.cancelled" : "orders.placed",
              id: e.id,
              data: encodeEvent(e),
              headers: { traceparent: TRACEPARENT },
            }),
          ),
        );
      }
    },
    async close() {
      await transport.close();
      await nats?.dispose();
      await sql.end({ timeout: 1 });
      await db.drop();
    },
  };
}

export const countRows = async (sql: Sql, table: "notifications" | "processed_events"): Promise<number> =>
  (await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM ${sql(table)}`)[0]?.n ?? 0;
