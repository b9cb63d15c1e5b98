// Broker restart: the private nats-server is killed (-9) and started again on its store during the flow; nothing is left behind.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { until } from "../../lib/testing/nats-server.ts";
import { ordersClient } from "./clients.ts";
import { isIdle, logLines, PIPELINE_N, type Pipeline, startPipeline, timeLimit } from "./harness.ts";

const RATE = Number(process.env.PIPELINE_RATE ?? 60);
const DOWN_MS = 1_500;
const ACK_WAIT_MS = 3_000;
/** "Shortly after it returns": the NATS client retries every 1–3 s, the relay's broker-down backoff is at most 5 s. */
const CATCH_UP_LIMIT_MS = 10_000;

describe("pipeline broker restart [postgres, jetstream]", () => {
  let p: Pipeline;
  beforeAll(async () => {
    p = await startPipeline("jetstream", "pl_restart");
  }, 30_000);
  afterAll(async () => p?.close());

  test(
    `nats-server kill -9 and restart while ${PIPELINE_N} orders flow: 0 unpublished rows shortly after it returns, everything delivered once`,
    async () => {
      const nats = p.nats as NonNullable<Pipeline["nats"]>;
      const notifications = await p.startNotifications({ CONSUMER_ACK_WAIT_MS: String(ACK_WAIT_MS) });
      const orders = await p.startOrders();
      const placing = ordersClient(orders.url, p.mint).placeOrders(PIPELINE_N, { concurrency: 4, perSecond: RATE });
      await p.waitFor("flow under way", (c) => c.notifications >= Math.min(30, PIPELINE_N / 4), 15_000);

      await nats.kill9();
      const t0 = performance.now();
      let maxUnpublished = 0;
      while (performance.now() - t0 < DOWN_MS) {
        maxUnpublished = Math.max(maxUnpublished, await p.unpublished());
        await Bun.sleep(100);
      }
      await nats.start();
      const back = performance.now();
      // The backlog of the outage is gone (orders keep arriving, each published at once again).
      await until(async () => (await p.unpublished()) === 0, CATCH_UP_LIMIT_MS, "outbox drained after the restart");
      const drainedAfterMs = Math.round(performance.now() - back);
      await placing;
      const c = await p.waitFor("all notified", (x) => x.unpublished === 0 && x.notifications === PIPELINE_N, timeLimit(15_000));
      // An ack the server confirmed just before kill -9 may not have reached its consumer store (flushed in the background):
      // that message comes back after the ack wait, and the worker acknowledges it as already processed.
      await until(async () => isIdle(await p.consumerLag()), 3 * ACK_WAIT_MS, "every delivery settled");
      console.log(
        `broker restart: down ${DOWN_MS} ms with up to ${maxUnpublished} rows waiting; outbox drained ${drainedAfterMs} ms after the server returned`,
      );

      expect(maxUnpublished).toBeGreaterThan(0); // the flow really was cut off
      expect(c).toMatchObject({ orders: PIPELINE_N, outbox: PIPELINE_N, dead: 0, stream: PIPELINE_N, notifications: PIPELINE_N, processed: PIPELINE_N });
      expect(new Set(await p.notifiedEventIds())).toEqual(new Set(await p.outboxIds()));
      expect(await orders.stop()).toBe(0);
      expect(await notifications.stop()).toBe(0);
      expect(logLines(notifications, "notification")).toBe(PIPELINE_N); // sent once each, restart or not
    },
    timeLimit(45_000, 30),
  );
});
