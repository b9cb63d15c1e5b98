// Worker crash: the notifications process SIGKILLed again and again during a backlog; every event processed exactly once in effect.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { until } from "../../lib/testing/nats-server.ts";
import { type StubRequest, startWebhookStub } from "../../services/notifications/testing/webhook-stub.ts";
import { ordersClient } from "./clients.ts";
import { isIdle, kill9, PIPELINE_N, type Pipeline, randomBetween, startPipeline, timeLimit, WEBHOOK_WORKER_ENV } from "./harness.ts";

const KILLS = Number(process.env.PIPELINE_WORKER_KILLS ?? 5);
/**
 * A slow receiver (60 ms per call) and a small window (8 per pull, 32 unacknowledged) keep the backlog going across
 * several lives; a 2 s ack wait brings back what a killed process held.
 */
const WORKER_ENV = WEBHOOK_WORKER_ENV;

for (const kind of ["jetstream", "embedded"] as const) {
  describe(`pipeline worker crash [postgres, ${kind}]`, () => {
    let p: Pipeline;
    const stub = startWebhookStub(async () => {
      await Bun.sleep(60);
      return new Response(null, { status: 204 });
    });
    beforeAll(async () => {
      p = await startPipeline(kind, `pl_worker_${kind}`);
    }, 30_000);
    afterAll(async () => {
      await stub.stop();
      await p?.close();
    });

    test(
      `${PIPELINE_N} events in a backlog, the worker SIGKILLed ${KILLS} times while on it: processed_events = notifications = ${PIPELINE_N}`,
      async () => {
        const orders = await p.startOrders();
        const placed = await ordersClient(orders.url, p.mint).placeOrders(PIPELINE_N, { concurrency: 16 });
        await p.waitFor("backlog in the stream", (c) => c.unpublished === 0 && c.stream === PIPELINE_N, timeLimit(15_000));
        const env = { ...WORKER_ENV, NOTIFY_WEBHOOK_URL: stub.url };

        let kills = 0;
        for (; kills < KILLS; kills++) {
          const before = (await p.counts()).notifications;
          if (before >= PIPELINE_N * 0.9) break;
          const worker = await p.startNotifications(env);
          // Killed in the middle of the backlog: once it has committed a few, at a random moment.
          await p.waitFor("worker at work", (c) => c.notifications >= before + 5, 15_000);
          await Bun.sleep(randomBetween(0, 100));
          await kill9(worker);
        }
        const afterKills = await p.counts();
        const last = await p.startNotifications(env);
        const c = await p.waitFor("all processed", (x) => x.notifications === PIPELINE_N, timeLimit(20_000));
        await until(async () => isIdle(await p.consumerLag()), 5_000, "every delivery settled");
        expect(await last.stop()).toBe(0);
        expect(await orders.stop()).toBe(0);

        const attempts = await p.sql.notifications<{ redelivered: number; max: number }[]>`
          SELECT (count(*) FILTER (WHERE delivery_attempts > 1))::int AS redelivered, max(delivery_attempts) AS max FROM notifications`;
        const sends = new Map<string, StubRequest[]>();
        for (const r of stub.requests) sends.set(r.body.eventId, [...(sends.get(r.body.eventId) ?? []), r]);
        const resent = [...sends.values()].filter((rs) => rs.length > 1).length;
        console.log(
          `worker crash [${kind}]: ${kills} kills with ${afterKills.notifications}/${PIPELINE_N} done; ${attempts[0]?.redelivered} events ` +
            `committed on a redelivery (max delivery ${attempts[0]?.max}); ${resent} sent again to the webhook (same Idempotency-Key)`,
        );

        expect(kills).toBe(KILLS); // every kill landed while the backlog was being worked
        expect(afterKills.notifications).toBeLessThan(PIPELINE_N);
        // Exactly once in effect: one processed_events row and one notification per event, about the right order.
        expect(c).toMatchObject({ stream: PIPELINE_N, notifications: PIPELINE_N, processed: PIPELINE_N });
        expect(new Set(await p.notifiedEventIds())).toEqual(new Set(await p.outboxIds()));
        const rows = await p.sql.notifications<{ order_id: string }[]>`SELECT order_id::text AS order_id FROM notifications`;
        expect(new Set(rows.map((r) => r.order_id))).toEqual(new Set(placed.map((o) => o.orderId)));
        // What a killed process held came back (redelivered after the ack wait); a send it had made was repeated with the same key.
        expect((attempts[0]?.redelivered ?? 0) + resent).toBeGreaterThan(0);
        expect(sends.size).toBe(PIPELINE_N);
        expect([...sends].filter(([id, rs]) => rs.some((r) => r.idempotencyKey !== id) || stub.delivered(id) === 0)).toEqual([]);
      },
      timeLimit(60_000, 40),
    );
  });
}
