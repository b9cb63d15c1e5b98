// Late commit: outbox rows whose transactions commit seconds after later rows were already published are still delivered.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createSql } from "../../lib/db/postgres.ts";
import { ordersClient } from "./clients.ts";
import { PIPELINE_N, type Pipeline, startPipeline, timeLimit } from "./harness.ts";
import { insertOutboxRows, orderPlacedRow } from "./outbox-events.ts";

const LATE = 5;
const RATE = Number(process.env.PIPELINE_RATE ?? 100);

describe("pipeline late commit [postgres, jetstream]", () => {
  let p: Pipeline;
  beforeAll(async () => {
    p = await startPipeline("jetstream", "pl_late");
  }, 30_000);
  afterAll(async () => p?.close());

  test(
    `${LATE} transactions insert an outbox row and commit 1–3 s later while ${PIPELINE_N} orders flow: every one is delivered`,
    async () => {
      const notifications = await p.startNotifications();
      const orders = await p.startOrders();
      const postingMs = (PIPELINE_N / RATE) * 1000;

      // Open transactions, each holding one uncommitted outbox row (created_at is its insert time: early in the flow).
      const writers = createSql(p.urls.orders, { max: LATE, applicationName: "late-writer" });
      const late = await Promise.all(
        Array.from({ length: LATE }, async (_, i) => {
          const conn = await writers.reserve();
          const row = orderPlacedRow(`late-${i}`);
          await conn`BEGIN`;
          await insertOutboxRows(conn, [row]);
          const [{ created_at }] = (await conn`SELECT created_at FROM outbox WHERE id = ${row.id}`) as unknown as [{ created_at: Date }];
          return { conn, id: row.id, createdAt: created_at, committedAfter: new Date(0) };
        }),
      );
      const placing = ordersClient(orders.url, p.mint).placeOrders(PIPELINE_N, { concurrency: 8, perSecond: RATE });
      // Commits spread over the flow, the last one while orders still arrive.
      await Promise.all(
        late.map(async (l, i) => {
          await Bun.sleep(Math.min(1_000 + i * 500, postingMs * 0.8));
          l.committedAfter = ((await l.conn`SELECT clock_timestamp() AS t`) as unknown as [{ t: Date }])[0].t;
          await l.conn`COMMIT`;
          l.conn.release();
        }),
      );
      await placing;
      await writers.end({ timeout: 1 });

      const c = await p.waitFor("all delivered", (x) => x.unpublished === 0 && x.notifications === PIPELINE_N + LATE, timeLimit(15_000));
      expect(c).toMatchObject({ outbox: PIPELINE_N + LATE, dead: 0, stream: PIPELINE_N + LATE, processed: PIPELINE_N + LATE });
      const notified = new Set(await p.notifiedEventIds());
      expect(late.filter((l) => !notified.has(l.id))).toEqual([]);
      // Each late row really was late: the relay had published rows created after it before it committed.
      for (const l of late) {
        const [{ overtaken }] = (await p.sql.orders`
          SELECT count(*)::int AS overtaken FROM outbox WHERE created_at > ${l.createdAt} AND published_at < ${l.committedAfter}`) as unknown as [
          { overtaken: number },
        ];
        expect(overtaken).toBeGreaterThan(0);
      }
      expect(await orders.stop()).toBe(0);
      expect(await notifications.stop()).toBe(0);
    },
    timeLimit(30_000, 20),
  );
});
