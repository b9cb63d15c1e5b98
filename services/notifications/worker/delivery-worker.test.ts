// The delivery worker with hand-made deliveries: the order of effects, the spare deliveries, oversized and failing dead letters.
import { expect, test } from "bun:test";
import { silentLogger } from "../../../lib/logging/logger.ts";
import { type Delivery, type OutgoingMessage, PermanentPublishError, type PublishAck, type Transport } from "../../../lib/messaging/types.ts";
import { createRegistry, type Registry } from "../../../lib/metrics/registry.ts";
import { sampleValue } from "../../../lib/testing/metrics-text.ts";
import type { Channel } from "../channels/channel.ts";
import { TRUNCATED_PAYLOAD_CHARS } from "../dead-letters/document.ts";
import { encodeEvent, orderPlaced } from "../testing/events.ts";
import { createDeliveryWorker } from "./delivery-worker.ts";
import type { EventStore } from "./event-store.ts";
import { createWorkerMetrics } from "./worker-metrics.ts";

type Effect = string;

function setup(publish: (m: OutgoingMessage) => Promise<PublishAck> = async () => ({ stream: "DLQ", seq: 1, duplicate: false }), registry?: Registry) {
  const effects: Effect[] = [];
  const published: OutgoingMessage[] = [];
  const done = new Set<string>();
  const store: EventStore = {
    processed: async (ids) => new Set(ids.filter((id) => done.has(id))),
    claim: async (ids) => new Map(ids.map((id) => [id, done.has(id) ? { state: "done" } : { state: "claimed" }])),
    release: async () => {},
    record: async (rs) => {
      await Bun.sleep(5);
      effects.push(`commit ${rs.length}`);
      return rs.map((r) => {
        if (done.has(r.eventId)) return { status: "duplicate" };
        done.add(r.eventId);
        return { status: "recorded" };
      });
    },
    ping: async () => {},
  };
  const channel: Channel = {
    name: "test",
    send: async (n) => {
      effects.push(`send ${n.eventId}`);
    },
  };
  const transport = {
    publish: async (m: OutgoingMessage) => {
      published.push(m);
      effects.push(`dlq ${m.id}`);
      return publish(m);
    },
  } as unknown as Transport;
  const worker = createDeliveryWorker({
    consumer: "notifications",
    transport,
    store,
    channel,
    log: silentLogger,
    maxDeliver: 3,
    retry: { baseMs: 100, maxMs: 1_000 },
    batchSize: 10,
    flushMs: 1,
    metrics: registry && createWorkerMetrics(registry),
  });
  const delivery = (data: Uint8Array, deliveryCount = 1, seq = 7): Delivery => ({
    stream: "ORDERS",
    seq,
    subject: "orders.placed",
    id: `m${seq}`,
    data,
    headers: {},
    publishedAt: new Date(),
    deliveryCount,
    ack: async () => void effects.push(`ack ${seq}`),
    nak: async (ms) => void effects.push(`nak ${seq} ${ms > 0 ? "later" : "now"}`),
    term: async () => void effects.push(`term ${seq}`),
    working: async () => {},
  });
  return { worker, effects, published, delivery };
}

test("send, then the commit of the whole batch, then each ack", async () => {
  const { worker, effects, delivery } = setup();
  const [a, b] = [orderPlaced(), orderPlaced()];
  await Promise.all([worker.handle(delivery(encodeEvent(a), 1, 1)), worker.handle(delivery(encodeEvent(b), 1, 2))]);
  expect(effects.slice(0, 2).sort()).toEqual([`send ${a.id}`, `send ${b.id}`].sort());
  expect(effects.slice(2)).toEqual(["commit 2", "ack 1", "ack 2"]);
  expect(worker.stats).toMatchObject({ processed: 2, duplicates: 0 });
});

test("a delivery beyond the processing limit (an attempt never settled) is dead-lettered without being processed", async () => {
  const { worker, effects, published, delivery } = setup();
  const e = orderPlaced();
  await worker.handle(delivery(encodeEvent(e), 4));
  expect(effects).toEqual(["dlq dlq:notifications:ORDERS:7", "term 7"]);
  const doc = JSON.parse(new TextDecoder().decode(published[0]?.data));
  expect(doc).toMatchObject({ eventId: e.id, attempts: 4, error: expect.stringContaining("never settled") });
  expect(published[0]?.subject).toBe("dlq.notifications.orders.placed");
});

test("a dead letter the broker refuses as too large is stored with a truncated payload, then terminated", async () => {
  const { worker, effects, published, delivery } = setup(async (m) => {
    if (m.data.byteLength > 40_000) throw new PermanentPublishError("maximum payload exceeded");
    return { stream: "DLQ", seq: 9, duplicate: false };
  });
  await worker.handle(delivery(new TextEncoder().encode(`{"junk":"${"x".repeat(60_000)}"}`)));
  expect(effects).toEqual(["dlq dlq:notifications:ORDERS:7", "dlq dlq:notifications:ORDERS:7", "term 7"]);
  const doc = JSON.parse(new TextDecoder().decode(published[1]?.data));
  expect(doc.truncated).toBe(true);
  expect(doc.payload.length).toBe(TRUNCATED_PAYLOAD_CHARS);
  expect(doc.error).toContain("not an order event");
});

test("when the dead letter cannot be stored at all: nak with a delay, never term", async () => {
  const { worker, effects, delivery } = setup(async () => {
    throw new Error("no responders");
  });
  await worker.handle(delivery(new TextEncoder().encode("junk"), 2));
  expect(effects).toEqual(["dlq dlq:notifications:ORDERS:7", "nak 7 later"]);
  expect(worker.stats).toMatchObject({ deadLettered: 0, deadLetterFailures: 1 });
});

test("the error of the last failed attempt is kept for a dead letter made on a spare delivery", async () => {
  let fail = true;
  const { worker, published, delivery } = setup(async () => {
    if (fail) throw new Error("dlq down");
    return { stream: "DLQ", seq: 3, duplicate: false };
  });
  const bad = new TextEncoder().encode("{oops");
  await worker.handle(delivery(bad, 3)); // the last allowed delivery: dead-lettering fails
  fail = false;
  await worker.handle(delivery(bad, 4)); // a spare delivery
  const doc = JSON.parse(new TextDecoder().decode(published.at(-1)?.data));
  expect(doc.error).toContain("not UTF-8 JSON");
  expect(doc.attempts).toBe(4);
});

test("metrics: each delivery's outcome, redeliveries, dead letters and handler latency", async () => {
  const registry = createRegistry();
  let dlqDown = false;
  const { worker, delivery } = setup(async () => {
    if (dlqDown) throw new Error("no responders");
    return { stream: "DLQ", seq: 1, duplicate: false };
  }, registry);
  const e = orderPlaced();
  const junk = new TextEncoder().encode("junk");
  await worker.handle(delivery(encodeEvent(e), 1, 1)); // processed
  await worker.handle(delivery(encodeEvent(e), 2, 1)); // a redelivery, already processed: duplicate
  await worker.handle(delivery(junk, 1, 2)); // dead-lettered
  dlqDown = true;
  await worker.handle(delivery(junk, 1, 3)); // the dead letter cannot be stored: redelivered later
  const text = registry.render();
  const value = (series: string) => sampleValue(text, series);
  expect(value('notifications_events_processed_total{outcome="processed"}')).toBe(1);
  expect(value('notifications_events_processed_total{outcome="duplicate"}')).toBe(1);
  expect(value('notifications_events_processed_total{outcome="dead_lettered"}')).toBe(1);
  expect(value('notifications_events_processed_total{outcome="dead_letter_failed"}')).toBe(1);
  expect(value('notifications_events_processed_total{outcome="retried"}')).toBe(0);
  expect(value('notifications_events_processed_total{outcome="error"}')).toBe(0);
  expect(value("notifications_dead_letters_total")).toBe(1);
  expect(value("notifications_redeliveries_total")).toBe(1);
  expect(value("notifications_handler_duration_seconds_count")).toBe(4);
});
