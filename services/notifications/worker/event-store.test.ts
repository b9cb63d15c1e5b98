// The worker's store on real PostgreSQL and PGlite: processed lookups, claims across replicas, one atomic batch, duplicates, a bad record isolated.
import { beforeAll, expect, test } from "bun:test";
import { migrate } from "../../../lib/db/migrate.ts";
import { silentLogger } from "../../../lib/logging/logger.ts";
import { describeEachDatabase } from "../../../lib/testing/each-database.ts";
import { migrations } from "../migrations/index.ts";
import { createEventStore, type NotificationRecord } from "./event-store.ts";
import { classify } from "./failure.ts";

const record = (over: Partial<NotificationRecord> = {}): NotificationRecord => ({
  id: Bun.randomUUIDv7(),
  eventId: Bun.randomUUIDv7(),
  customerId: "alice",
  orderId: Bun.randomUUIDv7(),
  type: "order.placed",
  title: "Order placed",
  message: "Your order was placed.",
  channel: "log",
  eventTime: new Date().toISOString(),
  deliveryAttempts: 1,
  traceId: null,
  ...over,
});

describeEachDatabase("notifications event store", (db) => {
  beforeAll(async () => {
    await migrate(db(), migrations, { log: silentLogger });
  });
  const counts = async (eventIds: string[]) => {
    const [row] = await db()`SELECT (SELECT count(*) FROM processed_events WHERE event_id = ANY(${eventIds}::uuid[]))::int AS processed,
      (SELECT count(*) FROM notifications WHERE event_id = ANY(${eventIds}::uuid[]))::int AS notifications`;
    return row as { processed: number; notifications: number };
  };

  test("a batch is recorded at once; processed() then finds exactly those; a second time they are duplicates", async () => {
    const store = createEventStore(db(), "notifications");
    const batch = Array.from({ length: 50 }, () => record());
    const ids = batch.map((r) => r.eventId);
    expect(await store.processed(ids)).toEqual(new Set());
    expect((await store.record(batch)).every((r) => r.status === "recorded")).toBe(true);
    expect(await store.processed([...ids, Bun.randomUUIDv7()])).toEqual(new Set(ids));
    expect(await counts(ids)).toEqual({ processed: 50, notifications: 50 });

    const again = await store.record(batch.slice(0, 2).map((r) => ({ ...r, id: Bun.randomUUIDv7() })));
    expect(again).toEqual([{ status: "duplicate" }, { status: "duplicate" }]);
    expect(await counts(ids)).toEqual({ processed: 50, notifications: 50 });
    const [row] = await db()`SELECT customer_id, type, channel, delivery_attempts FROM notifications WHERE event_id = ${ids[0] as string}`;
    expect(row).toEqual({ customer_id: "alice", type: "order.placed", channel: "log", delivery_attempts: 1 });
  });

  test("the same event twice in one batch: one notification, the second is a duplicate", async () => {
    const store = createEventStore(db(), "notifications");
    const a = record();
    const res = await store.record([a, { ...a, id: Bun.randomUUIDv7(), deliveryAttempts: 2 }, record()]);
    expect(res.map((r) => r.status)).toEqual(["recorded", "duplicate", "recorded"]);
    expect(await counts([a.eventId])).toEqual({ processed: 1, notifications: 1 });
  });

  test("processed_events is per consumer", async () => {
    const a = record();
    await createEventStore(db(), "notifications").record([a]);
    expect(await createEventStore(db(), "other-consumer").processed([a.eventId])).toEqual(new Set());
  });

  test("a value the database rejects fails that record alone (permanent), the rest of its batch is recorded", async () => {
    const store = createEventStore(db(), "notifications");
    const good = [record(), record()];
    const bad = record({ message: "NUL \u0000 byte" });
    const res = await store.record([good[0] as NotificationRecord, bad, good[1] as NotificationRecord]);
    expect(res.map((r) => r.status)).toEqual(["recorded", "failed", "recorded"]);
    const failed = res[1] as { status: "failed"; error: unknown };
    expect(classify(failed.error).permanent).toBe(true);
    expect(await counts([...good.map((r) => r.eventId), bad.eventId])).toEqual({ processed: 2, notifications: 2 });
  });

  test("claims: one owner at a time; renewed by its owner; done once recorded; free again when released or expired", async () => {
    const store = createEventStore(db(), "notifications");
    const [a, b] = [record(), record()];
    const ids = [a.eventId, b.eventId];
    expect(await store.claim(ids, "replica-1", 10_000)).toEqual(
      new Map([
        [a.eventId, { state: "claimed" }],
        [b.eventId, { state: "claimed" }],
      ]),
    );
    const other = await store.claim(ids, "replica-2", 10_000);
    for (const id of ids) {
      const s = other.get(id) as { state: string; forMs: number };
      expect(s.state).toBe("busy");
      expect(s.forMs).toBeGreaterThan(8_000);
      expect(s.forMs).toBeLessThanOrEqual(10_000);
    }
    expect((await store.claim([a.eventId], "replica-1", 10_000)).get(a.eventId)).toEqual({ state: "claimed" });

    await store.record([a]);
    expect((await store.claim([a.eventId], "replica-2", 10_000)).get(a.eventId)).toEqual({ state: "done" });
    await store.release(b.eventId, "replica-2"); // not its claim: nothing changes
    expect((await store.claim([b.eventId], "replica-2", 10_000)).get(b.eventId)?.state).toBe("busy");
    await store.release(b.eventId, "replica-1");
    expect((await store.claim([b.eventId], "replica-2", 50)).get(b.eventId)).toEqual({ state: "claimed" });
    // replica-2 "dies" holding it: after the 50 ms lease another replica takes it.
    await Bun.sleep(80);
    expect((await store.claim([b.eventId], "replica-3", 10_000)).get(b.eventId)).toEqual({ state: "claimed" });
  });
});
