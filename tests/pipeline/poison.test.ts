// Poison events: invalid envelopes and events a receiver always rejects reach the DLQ with their error; a fixed one replays once.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { until } from "../../lib/testing/nats-server.ts";
import { startWebhookStub } from "../../services/notifications/testing/webhook-stub.ts";
import { type DeadLetterSummary, notificationsAdminClient, ordersClient } from "./clients.ts";
import { isIdle, PIPELINE_N, type Pipeline, startPipeline, timeLimit } from "./harness.ts";
import { insertOutboxRows, type OutboxEventRow, orderPlacedRow } from "./outbox-events.ts";

const MAX_DELIVER = 3;

/** Envelopes the consumer's schema refuses (a permanent failure: dead-lettered at the first delivery). */
function invalidRows(): OutboxEventRow[] {
  const mutate = (f: (payload: Record<string, unknown>, data: Record<string, unknown>) => unknown) => {
    const row = orderPlacedRow("poison");
    const payload = row.payload as Record<string, unknown>;
    return { ...row, payload: f(payload, payload.data as Record<string, unknown>) };
  };
  return [
    mutate((e, d) => ({ ...e, data: { ...d, customerId: "" } })),
    mutate((e, d) => ({ ...e, data: { ...d, totalCents: -5 } })),
    mutate((e) => ({ id: e.id, hello: "not an envelope" })),
  ];
}

describe("pipeline poison events [postgres, jetstream]", () => {
  let p: Pipeline;
  const rejecting = new Set(["reject-0", "reject-1", "reject-2"]);
  const stub = startWebhookStub((r) => new Response(null, { status: rejecting.has(r.body.customerId) ? 503 : 204 }));
  beforeAll(async () => {
    p = await startPipeline("jetstream", "pl_poison");
  }, 30_000);
  afterAll(async () => {
    await stub.stop();
    await p?.close();
  });

  test(
    `invalid events among ${PIPELINE_N}: each dead-lettered with its error after the configured deliveries; a fixed one replays once, a second replay does nothing`,
    async () => {
      const notifications = await p.startNotifications({
        NOTIFY_CHANNEL: "webhook",
        NOTIFY_WEBHOOK_URL: stub.url,
        CONSUMER_MAX_DELIVER: String(MAX_DELIVER),
        RETRY_BASE_MS: "20",
        RETRY_MAX_MS: "100",
      });
      const orders = await p.startOrders();
      const admin = notificationsAdminClient(notifications.url, p.mint);
      const invalid = invalidRows();
      await insertOutboxRows(p.sql.orders, invalid);
      const client = ordersClient(orders.url, p.mint);
      const [placed, rejected] = await Promise.all([
        client.placeOrders(PIPELINE_N, { concurrency: 16 }),
        Promise.all([...rejecting].map((customer) => client.placeOrder(customer))),
      ]);
      const total = PIPELINE_N + rejected.length + invalid.length;
      await p.waitFor("valid events processed", (c) => c.unpublished === 0 && c.stream === total && c.notifications === PIPELINE_N, timeLimit(15_000));
      let dead: DeadLetterSummary[] = [];
      await until(
        async () => {
          dead = await admin.deadLetters();
          return dead.length === invalid.length + rejected.length;
        },
        10_000,
        "dead letters",
      );
      await until(async () => isIdle(await p.consumerLag()), 5_000, "every delivery settled");

      const eventOf = new Map(
        (
          await p.sql.orders<{ order_id: string; id: string }[]>`
            SELECT payload->'data'->>'orderId' AS order_id, id::text AS id FROM outbox WHERE payload->'data'->>'customerId' LIKE 'reject-%'`
        ).map((r) => [r.order_id, r.id]),
      );
      const rejectedEvents = rejected.map((o) => eventOf.get(o.orderId) as string);
      const byEvent = new Map(dead.map((d) => [d.eventId, d]));
      // Schema-invalid: a permanent failure, dead-lettered at the first delivery, with the schema's complaint.
      for (const row of invalid) {
        expect(byEvent.get(row.id)).toMatchObject({ subject: "orders.placed", messageId: row.id, attempts: 1 });
        expect(byEvent.get(row.id)?.error).toContain("payload is not an order event");
      }
      // Rejected by the receiver every time (503): retried, and dead-lettered on the last of the configured deliveries.
      for (const id of rejectedEvents) {
        expect(byEvent.get(id)).toMatchObject({ subject: "orders.placed", messageId: id, attempts: MAX_DELIVER, error: "webhook answered 503" });
        expect(stub.forEvent(id)).toHaveLength(MAX_DELIVER);
      }
      expect(new Set(await p.notifiedEventIds())).toEqual(new Set((await p.outboxIds()).filter((id) => !byEvent.has(id))));
      expect(placed).toHaveLength(PIPELINE_N);

      // The receiver is fixed for one customer; its dead letter is replayed through the admin API: processed once.
      rejecting.delete("reject-0");
      const fixed = rejectedEvents[0] as string;
      const seq = byEvent.get(fixed)?.seq as number;
      const replay = await admin.replay(seq);
      expect(replay.status).toBe(200);
      expect(await replay.json()).toMatchObject({ seq, subject: "orders.placed", stream: "ORDERS", duplicate: false, removed: true });
      await p.waitFor("replayed event processed", (c) => c.notifications === PIPELINE_N + 1, 10_000);
      expect(stub.delivered(fixed)).toBe(1);

      // Replaying it again: it is gone from the DLQ (404) and nothing is processed twice.
      const again = await admin.replay(seq);
      expect(again.status).toBe(404);
      expect((await again.json()).code).toBe("not_found");
      // Two replays of one dead letter at once: the same replay message id, so the stream keeps one; one notification.
      rejecting.delete("reject-2");
      const twice = rejectedEvents[2] as string;
      const both = await Promise.all([1, 2].map(() => admin.replay(byEvent.get(twice)?.seq as number)));
      const answers = await Promise.all(both.map(async (r) => ({ status: r.status, body: await r.json() })));
      // Each call answers 200 (the second reporting the broker's duplicate) or 404 (the first had already removed it).
      expect(answers.every((a) => a.status === 200 || a.status === 404)).toBe(true);
      expect(answers.filter((a) => a.status === 200 && a.body.duplicate === false)).toHaveLength(1);
      await p.waitFor("double replay processed", (c) => c.notifications === PIPELINE_N + 2, 10_000);
      // An unfixed one replayed goes back to the DLQ after its deliveries, never notified.
      const still = rejectedEvents[1] as string;
      expect((await admin.replay(byEvent.get(still)?.seq as number)).status).toBe(200);
      await until(async () => (await admin.deadLetters()).some((d) => d.eventId === still && d.seq > seq), 10_000, "dead-lettered again");
      await until(async () => isIdle(await p.consumerLag()), 5_000, "every delivery settled");
      await Bun.sleep(200);

      const c = await p.counts();
      expect(c).toMatchObject({ notifications: PIPELINE_N + 2, processed: PIPELINE_N + 2 });
      const replayed = await p.sql.notifications<{ event_id: string; n: number; attempts: number }[]>`
        SELECT event_id::text, count(*)::int AS n, max(delivery_attempts) AS attempts FROM notifications
         WHERE event_id IN (${fixed}, ${twice}) GROUP BY event_id ORDER BY event_id`;
      // One each; the replay is a new message whose first delivery succeeded.
      expect([...replayed]).toEqual([fixed, twice].sort().map((event_id) => ({ event_id, n: 1, attempts: 1 })));
      expect(stub.forEvent(fixed)).toHaveLength(MAX_DELIVER + 1);
      expect(stub.forEvent(twice)).toHaveLength(MAX_DELIVER + 1);
      expect(stub.delivered(twice)).toBe(1);
      expect(stub.forEvent(still)).toHaveLength(2 * MAX_DELIVER);
      expect(stub.delivered(still)).toBe(0);
      expect((await admin.deadLetters()).map((d) => d.eventId).sort()).toEqual([...invalid.map((r) => r.id), still].sort());
      expect(await orders.stop()).toBe(0);
      expect(await notifications.stop()).toBe(0);
    },
    timeLimit(40_000, 20),
  );
});
