// trackPoolUsage on real PostgreSQL: queries, transactions, reserved connections and failures count while they run, fragments never; waits for a connection are bounded.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { testDatabaseUrl } from "../testing/temp-database.ts";
import { classifyDbError, PoolAcquireTimeout } from "./db-errors.ts";
import { trackPoolUsage } from "./pool-usage.ts";
import { createSql, type Sql } from "./postgres.ts";

describe("trackPoolUsage [postgres]", () => {
  let raw: Sql;
  let sql: Sql;
  let usage: ReturnType<typeof trackPoolUsage>["usage"];
  beforeAll(() => {
    raw = createSql(testDatabaseUrl(), { max: 3, applicationName: "pool-usage-test" });
    ({ sql, usage } = trackPoolUsage(raw));
  });
  afterAll(() => raw.end({ timeout: 1 }));

  test("max is the pool size; idle is zero", () => {
    expect(usage.max).toBe(3);
    expect(usage.busy()).toBe(0);
  });

  test("a query counts while it runs, and is back to zero after it (result unchanged)", async () => {
    const q = sql`SELECT pg_sleep(0.2), 42 AS n`;
    expect(usage.busy()).toBe(0); // not executed until awaited
    const running = q.then((rows) => rows);
    await Bun.sleep(50);
    expect(usage.busy()).toBe(1);
    const rows = await running;
    expect(rows[0]?.n).toBe(42);
    expect(usage.busy()).toBe(0);
  });

  test("failed queries, unsafe and fragments", async () => {
    await expect(sql`SELECT * FROM no_such_table_here`).rejects.toThrow();
    expect(usage.busy()).toBe(0);
    const fragment = sql`AND 1 = 1`;
    expect((await sql`SELECT 1 AS one WHERE true ${fragment}`)[0]?.one).toBe(1);
    expect((await sql.unsafe("SELECT 2 AS two"))[0]?.two).toBe(2);
    expect(usage.busy()).toBe(0);
  });

  test("a transaction counts once for its whole duration; a reserved connection until release", async () => {
    let inside = -1;
    await sql.begin(async (tx) => {
      await tx`SELECT 1`;
      inside = usage.busy();
    });
    expect(inside).toBe(1);
    expect(usage.busy()).toBe(0);

    const reserved = await sql.reserve();
    await reserved`SELECT 1`;
    expect(usage.busy()).toBe(1);
    reserved.release();
    expect(usage.busy()).toBe(0);
  });

  test("concurrent work beyond the pool size is capped at max; the rest waits its turn", async () => {
    const all = Promise.all(Array.from({ length: 6 }, () => sql`SELECT pg_sleep(0.2)`.then(() => {})));
    await Bun.sleep(50);
    expect(usage.busy()).toBe(3);
    expect(usage.waiting()).toBe(3);
    await all;
    expect(usage.busy()).toBe(0);
    expect(usage.waiting()).toBe(0);
  });
});

describe("trackPoolUsage acquire timeout [postgres]", () => {
  let raw: Sql;
  let sql: Sql;
  let usage: ReturnType<typeof trackPoolUsage>["usage"];
  beforeAll(() => {
    raw = createSql(testDatabaseUrl(), { max: 2, applicationName: "pool-acquire-test" });
    ({ sql, usage } = trackPoolUsage(raw, { acquireTimeoutMs: 150 }));
  });
  afterAll(() => raw.end({ timeout: 1 }));

  /** Both connections busy for `seconds` (transactions, as requests blocked behind a lock hold them). */
  const holdBoth = (seconds: number) => Promise.all([0, 1].map(() => sql.begin((tx) => tx`SELECT pg_sleep(${seconds})`)));

  test("a query, a transaction and reserve() that get no connection in time reject with PoolAcquireTimeout, classified pool_exhausted", async () => {
    const held = holdBoth(0.6);
    await Bun.sleep(50);
    const t0 = performance.now();
    const results = await Promise.allSettled([sql`SELECT 1`, sql.begin((tx) => tx`SELECT 1`), sql.reserve()]);
    const ms = performance.now() - t0;
    for (const r of results) {
      expect(r.status).toBe("rejected");
      const err = (r as PromiseRejectedResult).reason;
      expect(err).toBeInstanceOf(PoolAcquireTimeout);
      expect(classifyDbError(err)).toEqual({ kind: "unavailable", reason: "pool_exhausted", code: "POOL_ACQUIRE_TIMEOUT" });
    }
    expect(ms).toBeGreaterThanOrEqual(140);
    expect(ms).toBeLessThan(500); // well before the holders finish
    expect(usage.waiting()).toBe(0);
    await held;
    expect(usage.busy()).toBe(0);
    expect((await sql`SELECT 2 AS two`)[0]?.two).toBe(2);
  });

  test("a statement refused by the timeout never runs later", async () => {
    const table = `pool_acquire_${process.pid}`;
    await sql.unsafe(`CREATE TABLE IF NOT EXISTS ${table} (n int)`);
    try {
      const held = holdBoth(0.4);
      await Bun.sleep(50);
      await expect(sql.unsafe(`INSERT INTO ${table} VALUES (1)`)).rejects.toBeInstanceOf(PoolAcquireTimeout);
      await held;
      await Bun.sleep(50);
      expect((await sql.unsafe(`SELECT count(*)::int AS n FROM ${table}`))[0]?.n).toBe(0);
    } finally {
      await sql.unsafe(`DROP TABLE IF EXISTS ${table}`);
    }
  });

  test("work that waits less than the timeout gets its connection", async () => {
    const held = holdBoth(0.05);
    await Bun.sleep(10);
    const rows = await Promise.all([1, 2, 3].map((i) => sql`SELECT ${i}::int AS i`));
    await held;
    expect(rows.map((r) => r[0]?.i)).toEqual([1, 2, 3]);
  });
});
