// Dedupe: outbox events published twice inside the duplicate window (as after a relay crash between PubAck and COMMIT) are stored once.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { ordersClient } from "./clients.ts";
import { logLines, PIPELINE_N, type Pipeline, startPipeline, timeLimit } from "./harness.ts";

describe("pipeline dedupe [postgres, jetstream]", () => {
  let p: Pipeline;
  beforeAll(async () => {
    p = await startPipeline("jetstream", "pl_dedupe", { tap: true });
  }, 30_000);
  afterAll(async () => p?.close());

  test(
    `${PIPELINE_N} events published, then all of them again: the stream holds ${PIPELINE_N}, the repeats are acked as duplicates, one notification each`,
    async () => {
      const tap = p.tap as NonNullable<Pipeline["tap"]>;
      const notifications = await p.startNotifications();
      let orders = await p.startOrders();
      await ordersClient(orders.url, p.mint).placeOrders(PIPELINE_N, { concurrency: 16 });
      await p.waitFor("first publication delivered", (c) => c.unpublished === 0 && c.notifications === PIPELINE_N, timeLimit(15_000));
      expect(tap.acks).toEqual({ total: PIPELINE_N, duplicate: 0 });

      // As if the relay had crashed after every PubAck and before its COMMIT: every row is due again.
      expect(await orders.stop()).toBe(0);
      const reset = await p.sql.orders`UPDATE outbox SET published_at = NULL RETURNING id`;
      expect(reset.length).toBe(PIPELINE_N);
      orders = await p.startOrders();
      const c = await p.waitFor("republished", (x) => x.unpublished === 0, timeLimit(15_000));
      expect(await orders.stop()).toBe(0);

      expect(c.stream).toBe(PIPELINE_N);
      expect(tap.acks).toEqual({ total: 2 * PIPELINE_N, duplicate: PIPELINE_N });
      expect(tap.publishes.size).toBe(PIPELINE_N);
      expect([...tap.publishes.values()].every((n) => n === 2)).toBe(true);
      const [attempts] = await p.sql.orders<{ min: number; max: number }[]>`SELECT min(attempts) AS min, max(attempts) AS max FROM outbox`;
      expect(attempts).toEqual({ min: 2, max: 2 });

      // Nothing new reached the consumer: still one notification per event, and no message waits or is redelivered.
      await Bun.sleep(300);
      expect(await p.consumerLag()).toEqual({ pending: 0, ackPending: 0 });
      expect(await p.counts()).toMatchObject({ notifications: PIPELINE_N, processed: PIPELINE_N });
      expect(await notifications.stop()).toBe(0);
      expect(logLines(notifications, "notification")).toBe(PIPELINE_N);
      const [redelivered] = await p.sql.notifications<{ n: number }[]>`SELECT count(*)::int AS n FROM notifications WHERE delivery_attempts > 1`;
      expect(redelivered?.n).toBe(0);
    },
    timeLimit(40_000),
  );
});
