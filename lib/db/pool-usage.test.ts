// trackPoolUsage on real PostgreSQL: queries, transactions, reserved connections and failures count while they run, fragments never.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { testDatabaseUrl } from "../testing/temp-database.ts";
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

  test("concurrent work beyond the pool size is capped at max", async () => {
    const all = Promise.all(Array.from({ length: 6 }, () => sql`SELECT pg_sleep(0.2)`.then(() => {})));
    await Bun.sleep(50);
    expect(usage.busy()).toBe(3);
    await all;
    expect(usage.busy()).toBe(0);
  });
});
