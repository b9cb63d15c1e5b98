// A table lock held by another connection (as a migration or a manual ALTER would) against the orders API on real PostgreSQL.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { trackPoolUsage } from "../../../lib/db/pool-usage.ts";
import { createSql, type Sql } from "../../../lib/db/postgres.ts";
import { createHealth } from "../../../lib/health/health.ts";
import { createRegistry } from "../../../lib/metrics/registry.ts";
import { createTempDatabase } from "../../../lib/testing/temp-database.ts";
import { createOrdersRepository } from "../orders/repository.ts";
import { ordersFixture, sampleOrder } from "../testing/fixture.ts";

/** Runs `fn` while a connection of `locker` holds LOCK TABLE … IN ACCESS EXCLUSIVE MODE on `table`. */
async function lockTable<T>(locker: Sql, table: string, fn: (held: Sql) => Promise<T>): Promise<T> {
  const held = await locker.reserve();
  try {
    await held`BEGIN`;
    await held.unsafe(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
    return await fn(held);
  } finally {
    await held`ROLLBACK`;
    held.release();
  }
}

describe("orders while a table is locked (ACCESS EXCLUSIVE, real PostgreSQL)", () => {
  let db: Awaited<ReturnType<typeof createTempDatabase>>;
  let sql: Sql;
  let locker: Sql;
  let fx: Awaited<ReturnType<typeof ordersFixture>>;
  const metrics = createRegistry();
  beforeAll(async () => {
    db = await createTempDatabase("orders_stall");
    // A short statement timeout stands in for the default 30 s: the lock outlives it either way.
    sql = createSql(db.url, { max: 2, statementTimeoutMs: 300, applicationName: "orders-stall-test" });
    locker = createSql(db.url, { max: 1, applicationName: "orders-stall-locker" });
    const repo = createOrdersRepository(sql);
    const health = createHealth({ database: () => repo.ping() }, { informational: ["database"], timeoutMs: 150 });
    fx = await ordersFixture(sql, { metrics, health });
  });
  afterAll(async () => {
    await Promise.all([sql.end({ timeout: 1 }), locker.end({ timeout: 1 })]);
    await db.drop();
  });

  const whileLocked = <T>(table: string, fn: (held: Sql) => Promise<T>) => lockTable(locker, table, fn);

  test("writes and reads answer 504 database_timeout with Retry-After, counted by reason; the same key succeeds after the lock", async () => {
    const alice = await fx.client("alice");
    const key = crypto.randomUUID();
    const [placed, listed, ready] = await whileLocked("orders", () =>
      Promise.all([alice.post("/v1/orders", sampleOrder(), key), alice.get("/v1/orders"), Bun.sleep(50).then(() => fx.app.request("/readyz"))]),
    );
    for (const res of [placed, listed]) {
      expect(res.status).toBe(504);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      expect(res.headers.get("retry-after")).toBe("2");
      expect((await res.json()).code).toBe("database_timeout");
    }
    // Both pool connections were stuck behind the lock: readiness reports it, but keeps this replica in rotation.
    expect(ready.status).toBe(200);
    const probe = (await ready.json()) as { status: string; checks: Record<string, string> };
    expect(probe.status).toBe("degraded");
    expect(probe.checks.database).not.toBe("ok");

    const text = await (await fx.app.request("/metrics")).text();
    expect(text).toContain('http_database_unavailable_total{reason="statement_timeout"} 2');
    expect(text).toContain('http_requests_total{method="POST",route="/v1/orders",status="504"} 1');
    expect(text).not.toContain('status="500"');

    // Nothing was stored by the timed-out request, so the retry under the same key places the order once.
    const retried = await alice.post("/v1/orders", sampleOrder(), key);
    expect(retried.status).toBe(201);
    expect(await fx.counts()).toMatchObject({ orders: 1, outbox: 1, keys: 1 });
    expect((await (await fx.app.request("/readyz")).json()).status).toBe("ok");
  });

  test("a connection lost mid-request (backend terminated while waiting for the lock) answers 503 database_unavailable", async () => {
    const bob = await fx.client("bob");
    const res = await whileLocked("orders", async (held) => {
      const pending = bob.get("/v1/orders");
      await Bun.sleep(100);
      await held`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'orders-stall-test' AND wait_event_type = 'Lock'`;
      return pending;
    });
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("2");
    expect(await res.json()).toMatchObject({ code: "database_unavailable", status: 503 });
    expect(await (await fx.app.request("/metrics")).text()).toContain('http_database_unavailable_total{reason="connection"} 1');
    // The pool reconnects by itself.
    expect((await bob.get("/v1/orders")).status).toBe(200);
  });
});

describe("orders when every pool connection is stuck behind a table lock (acquire timeout, real PostgreSQL)", () => {
  let db: Awaited<ReturnType<typeof createTempDatabase>>;
  let raw: Sql;
  let locker: Sql;
  let fx: Awaited<ReturnType<typeof ordersFixture>>;
  const metrics = createRegistry();
  const ACQUIRE_TIMEOUT_MS = 300;
  beforeAll(async () => {
    db = await createTempDatabase("orders_pool_wait");
    // The statement timeout outlasts the lock here, so the two connections stay busy for the whole lock: only the
    // pool's acquire timeout can end the third request's wait.
    raw = createSql(db.url, { max: 2, statementTimeoutMs: 10_000, applicationName: "orders-pool-wait-test" });
    locker = createSql(db.url, { max: 1, applicationName: "orders-pool-wait-locker" });
    fx = await ordersFixture(trackPoolUsage(raw, { acquireTimeoutMs: ACQUIRE_TIMEOUT_MS }).sql, { metrics });
  });
  afterAll(async () => {
    await Promise.all([raw.end({ timeout: 1 }), locker.end({ timeout: 1 })]);
    await db.drop();
  });

  test("a request waiting for a connection answers 503 database_unavailable with Retry-After after the acquire timeout; nothing of it is stored", async () => {
    const alice = await fx.client("alice");
    const late = crypto.randomUUID();
    const { blocked, waited, ms } = await lockTable(locker, "orders", async () => {
      // Two orders take both connections and wait for the lock inside their transactions.
      const blocked = Promise.all([alice.post("/v1/orders", sampleOrder()), alice.post("/v1/orders", sampleOrder())]);
      await Bun.sleep(100);
      const t0 = performance.now();
      const waited = await alice.post("/v1/orders", sampleOrder(), late);
      const ms = performance.now() - t0;
      // Held a little longer, so the answer above came while both connections were still stuck.
      await Bun.sleep(200);
      return { blocked, waited, ms };
    });
    expect(waited.status).toBe(503);
    expect(waited.headers.get("content-type")).toBe("application/problem+json");
    expect(waited.headers.get("retry-after")).toBe("2");
    expect(await waited.json()).toMatchObject({ code: "database_unavailable", status: 503 });
    expect(ms).toBeGreaterThanOrEqual(ACQUIRE_TIMEOUT_MS - 5);
    expect(ms).toBeLessThan(ACQUIRE_TIMEOUT_MS + 1_000);
    const text = await (await fx.app.request("/metrics")).text();
    expect(text).toContain('http_database_unavailable_total{reason="pool_exhausted"} 1');

    // The two that held the connections finish once the lock is gone; the refused one never reached the database,
    // so its retry under the same key places it once.
    expect((await blocked).map((r) => r.status)).toEqual([201, 201]);
    expect((await alice.post("/v1/orders", sampleOrder(), late)).status).toBe(201);
    expect(await fx.counts()).toMatchObject({ orders: 3, outbox: 3, keys: 3 });
  });
});
