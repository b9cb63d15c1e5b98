// Oversized event: an outbox row larger than the ORDERS stream accepts (1 MiB) becomes one dead row with its error; the rest flow on.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { ORDERS_STREAM } from "../../lib/messaging/topology.ts";
import { ordersClient } from "./clients.ts";
import { PIPELINE_N, type Pipeline, startPipeline, timeLimit } from "./harness.ts";
import { insertOutboxRows, orderPlacedRow } from "./outbox-events.ts";

describe("pipeline oversized event [postgres, jetstream]", () => {
  let p: Pipeline;
  beforeAll(async () => {
    p = await startPipeline("jetstream", "pl_oversized");
  }, 30_000);
  afterAll(async () => p?.close());

  test(
    `an event over 1 MiB among ${PIPELINE_N}: one dead outbox row with its error, the others published and notified`,
    async () => {
      const notifications = await p.startNotifications();
      const orders = await p.startOrders();
      const huge = orderPlacedRow("huge", { note: "x".repeat((ORDERS_STREAM.maxMessageBytes ?? 0) + 64 * 1024) });
      const before = orderPlacedRow("before-huge");
      await insertOutboxRows(p.sql.orders, [before, huge]);
      await ordersClient(orders.url, p.mint).placeOrders(PIPELINE_N, { concurrency: 16 });

      const c = await p.waitFor("all but one delivered", (x) => x.unpublished === 0 && x.notifications === PIPELINE_N + 1, timeLimit(15_000));
      expect(c).toMatchObject({ outbox: PIPELINE_N + 2, dead: 1, stream: PIPELINE_N + 1, processed: PIPELINE_N + 1 });
      const [row] = await p.sql.orders<{ dead: boolean; published_at: Date | null; attempts: number; last_error: string }[]>`
        SELECT dead_at IS NOT NULL AS dead, published_at, attempts, last_error FROM outbox WHERE id = ${huge.id}`;
      expect(row).toMatchObject({ dead: true, published_at: null, attempts: 1 });
      expect(row?.last_error).toMatch(/^publish to orders\.placed rejected for good: .*(max_payload|maximum|size)/i);
      const notified = new Set(await p.notifiedEventIds());
      expect(notified.has(huge.id)).toBe(false);
      expect(notified.has(before.id)).toBe(true);
      expect(await orders.stop()).toBe(0);
      expect(orders.output()).toContain('"msg":"outbox row is dead: the broker will never accept it"');
      expect(await notifications.stop()).toBe(0);
    },
    timeLimit(30_000, 20),
  );
});
