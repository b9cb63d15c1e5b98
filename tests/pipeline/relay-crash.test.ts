// Relay crash: orders placed through the API while relay processes are SIGKILLed again and again mid-batch; every event delivered once.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { ordersClient } from "./clients.ts";
import { kill9, logLines, PIPELINE_N, type Pipeline, randomBetween, startPipeline, timeLimit } from "./harness.ts";

const MIN_KILLS = Number(process.env.PIPELINE_RELAY_KILLS ?? 8);
const MAX_KILLS = Math.max(MIN_KILLS, 60);
/** Orders per second from the API client: slow enough that the posting spans many relay lives. */
const RATE = Number(process.env.PIPELINE_RATE ?? 60);
/**
 * Small batches: a backlog takes the relay several transactions, so a kill finds one open more often. A short lease:
 * a SIGKILLed leader keeps it until it runs out, and with the default 10 s the next lives would all be standbys.
 */
const RELAY_ENV = { OUTBOX_RELAY_BATCH_SIZE: "8", OUTBOX_RELAY_LEASE_MS: "300" };

for (const kind of ["jetstream", "embedded"] as const) {
  describe(`pipeline relay crash [postgres, ${kind}]`, () => {
    let p: Pipeline;
    beforeAll(async () => {
      p = await startPipeline(kind, `pl_relay_${kind}`, { tap: true });
    }, 30_000);
    afterAll(async () => p?.close());

    test(
      `${PIPELINE_N} orders via the API while the relay is SIGKILLed repeatedly mid-batch: all delivered, none lost, none notified twice`,
      async () => {
        const api = await p.startOrders({ OUTBOX_RELAY_ENABLED: "false" });
        const notifications = await p.startNotifications();
        let posting = true;
        const placing = ordersClient(api.url, p.mint)
          .placeOrders(PIPELINE_N, { concurrency: 4, perSecond: RATE })
          .finally(() => {
            posting = false;
          });

        let kills = 0;
        let midBatch = 0; // kills after which the broker had events whose outbox rows were still unpublished
        for (;;) {
          const relay = await p.startOrders(RELAY_ENV);
          // Every other life ends at the relay's next publish (most often between its publish and its COMMIT), the others at a random moment.
          if (kills % 2 === 0) await p.nextPublish(500);
          else await Bun.sleep(randomBetween(0, 250));
          await kill9(relay);
          kills++;
          if ((await p.reachedBroker(await p.outboxIds("unpublished"))).length > 0) midBatch++;
          if ((!posting && kills >= MIN_KILLS && midBatch > 0) || kills >= MAX_KILLS) break;
        }
        const placed = await placing;

        const last = await p.startOrders(RELAY_ENV);
        const c = await p.waitFor("all delivered", (x) => x.unpublished === 0 && x.notifications === PIPELINE_N, timeLimit(20_000));
        await Bun.sleep(200); // anything still on its way would show in the counts and the consumer's lag now
        expect(await p.counts()).toEqual({ ...c, notifications: PIPELINE_N, processed: PIPELINE_N });
        expect(await last.stop()).toBe(0);
        expect(await notifications.stop()).toBe(0);
        expect(await api.stop()).toBe(0);
        const republished = p.tap?.republished().length;
        console.log(
          `relay crash [${kind}]: ${kills} relay kills, ${midBatch} of them between a publish and its COMMIT` +
            (p.tap ? `; ${republished} events published again, ${p.tap.acks.duplicate} PubAcks reported a duplicate` : ""),
        );

        expect(kills).toBeGreaterThanOrEqual(MIN_KILLS);
        expect(midBatch).toBeGreaterThan(0); // the relay really died mid-batch
        if (p.tap) expect(p.tap.acks.duplicate).toBeGreaterThan(0); // and its successor's repeats were dropped by the stream
        expect(placed).toHaveLength(PIPELINE_N);
        expect(c).toMatchObject({ orders: PIPELINE_N, outbox: PIPELINE_N, unpublished: 0, dead: 0, stream: PIPELINE_N });
        // 0 lost: every order's event is notified, about that order; 0 duplicates: one notification and one send per event.
        const rows = await p.sql.notifications<{ order_id: string }[]>`SELECT order_id::text AS order_id FROM notifications`;
        expect(new Set(rows.map((r) => r.order_id))).toEqual(new Set(placed.map((o) => o.orderId)));
        expect(new Set(await p.notifiedEventIds())).toEqual(new Set(await p.outboxIds()));
        expect(logLines(notifications, "notification")).toBe(PIPELINE_N);
        expect(await p.consumerLag()).toEqual({ pending: 0, ackPending: 0 });
      },
      timeLimit(60_000, 40),
    );
  });
}
