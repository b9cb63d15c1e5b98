// The consumer's supervision: a subscription that ends on its own (fatal broker error) marks it unhealthy and is re-established.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { migrate } from "../../../lib/db/migrate.ts";
import { createSql, type Sql } from "../../../lib/db/postgres.ts";
import { createLogger } from "../../../lib/logging/logger.ts";
import { createMemoryTransport } from "../../../lib/messaging/testing/memory-transport.ts";
import { DLQ_STREAM } from "../../../lib/messaging/topology.ts";
import type { Subscription, Transport } from "../../../lib/messaging/types.ts";
import { createTempDatabase } from "../../../lib/testing/temp-database.ts";
import { createLogChannel } from "../channels/log-channel.ts";
import { migrations } from "../migrations/index.ts";
import { encodeEvent, orderPlaced } from "../testing/events.ts";
import { eventually } from "../testing/worker-harness.ts";
import { startConsumer } from "./consumer.ts";
import { createEventStore } from "./event-store.ts";

let temp: Awaited<ReturnType<typeof createTempDatabase>>;
let sql: Sql;
beforeAll(async () => {
  temp = await createTempDatabase("notif_consumer");
  sql = createSql(temp.url, { max: 2 });
  await migrate(sql, migrations);
});
afterAll(async () => {
  await sql.end({ timeout: 1 });
  await temp.drop();
});

test("a subscription that dies is replaced with backoff; health is false meanwhile; processing goes on", async () => {
  const inner = createMemoryTransport();
  const subs: { sub: Subscription; die: () => Promise<void> }[] = [];
  const transport: Transport = {
    ...inner,
    consume: async (c, o) => {
      const sub = await inner.consume(c, o);
      let end: () => void = () => {};
      const closed = new Promise<void>((r) => {
        end = r;
      });
      void sub.closed.then(end);
      const die = async () => {
        await sub.stop();
        end();
      };
      subs.push({ sub, die });
      return { stop: () => sub.stop(), closed };
    },
  };
  const lines: { msg: string }[] = [];
  const source = { name: "SUPERVISED", subjects: ["sup.>"], duplicateWindowMs: 60_000 };
  const consumer = await startConsumer({
    transport,
    store: createEventStore(sql, "supervised"),
    channel: createLogChannel(),
    log: createLogger({ service: "t", sink: (l) => lines.push(JSON.parse(l)) }),
    source,
    dlq: DLQ_STREAM,
    durable: "supervised",
    maxDeliver: 3,
    ackWaitMs: 5_000,
    batch: 8,
    maxAckPending: 100,
    retry: { baseMs: 50, maxMs: 200 },
  });
  const publish = async () => {
    const e = orderPlaced("sup");
    await transport.publish({ subject: "sup.placed", id: e.id, data: encodeEvent(e) });
  };
  await publish();
  await eventually(() => consumer.stats.processed === 1, 5_000, "first processed");

  await subs[0]?.die();
  await eventually(() => !consumer.healthy, 1_000, "unhealthy");
  await publish();
  await eventually(() => consumer.healthy && consumer.stats.processed === 2, 5_000, "resubscribed and processing");
  expect(subs).toHaveLength(2);
  expect(lines.map((l) => l.msg)).toEqual(expect.arrayContaining(["consumer subscription ended unexpectedly; resubscribing", "consumer resubscribed"]));
  await consumer.stop();
  expect(lines.at(-1)?.msg).toBe("consumer stopped");
});
