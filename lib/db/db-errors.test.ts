import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createTempDatabase } from "../testing/temp-database.ts";
import { classifyDbError } from "./db-errors.ts";
import { createSql, type Sql } from "./postgres.ts";

/** What `run` rejects with (fails the test when it resolves). */
async function rejection(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (err) {
    return err;
  }
  throw new Error("expected the call to fail");
}

describe("classifyDbError against real PostgreSQL", () => {
  let db: Awaited<ReturnType<typeof createTempDatabase>>;
  let sql: Sql;
  let locker: Sql;
  beforeAll(async () => {
    db = await createTempDatabase("db_errors");
    sql = createSql(db.url, { max: 2, statementTimeoutMs: 200, applicationName: "db-errors-test" });
    locker = createSql(db.url, { max: 1, applicationName: "db-errors-locker" });
    await sql`CREATE TABLE t (id int PRIMARY KEY)`;
  });
  afterAll(async () => {
    await Promise.all([sql.end({ timeout: 1 }), locker.end({ timeout: 1 })]);
    await db.drop();
  });

  test("a statement waiting behind LOCK TABLE … ACCESS EXCLUSIVE until statement_timeout is a timeout (57014)", async () => {
    const held = await locker.reserve();
    try {
      await held`BEGIN`;
      await held`LOCK TABLE t IN ACCESS EXCLUSIVE MODE`;
      const err = await rejection(() => sql`SELECT count(*) FROM t`);
      expect(classifyDbError(err)).toEqual({ kind: "timeout", reason: "statement_timeout", code: "57014" });
    } finally {
      await held`ROLLBACK`;
      held.release();
    }
  });

  test("lock_timeout (55P03) is a timeout too", async () => {
    const held = await locker.reserve();
    try {
      await held`BEGIN`;
      await held`LOCK TABLE t IN ACCESS EXCLUSIVE MODE`;
      const err = await rejection(() => sql.begin(async (tx) => [await tx`SET LOCAL lock_timeout = '50ms'`, await tx`SELECT * FROM t`]));
      expect(classifyDbError(err)).toEqual({ kind: "timeout", reason: "lock_timeout", code: "55P03" });
    } finally {
      await held`ROLLBACK`;
      held.release();
    }
  });

  test("a backend terminated by an administrator is unavailability (postgres.js reports the closed socket, or 57P01)", async () => {
    const victim = createSql(db.url, { max: 1, applicationName: "db-errors-victim" });
    try {
      const running = rejection(() => victim`SELECT pg_sleep(5)`);
      await Bun.sleep(100);
      await locker`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'db-errors-victim'`;
      const fault = classifyDbError(await running);
      expect(fault?.kind).toBe("unavailable");
      expect(["connection", "server_shutdown"]).toContain(fault?.reason as string);
    } finally {
      await victim.end({ timeout: 1 });
    }
  });

  test("no server listening is unavailability (connection)", async () => {
    const nowhere = createSql("postgres://postgres@127.0.0.1:1/none", { max: 1, connectTimeoutSeconds: 2 });
    try {
      const fault = classifyDbError(await rejection(() => nowhere`SELECT 1`));
      expect(fault?.kind).toBe("unavailable");
      expect(fault?.reason).toBe("connection");
    } finally {
      await nowhere.end({ timeout: 0 });
    }
  });

  test("errors that repeat on retry stay errors: unique violation, syntax error, a plain Error", async () => {
    await sql`INSERT INTO t VALUES (1)`;
    expect(classifyDbError(await rejection(() => sql`INSERT INTO t VALUES (1)`))).toBeUndefined();
    expect(classifyDbError(await rejection(() => sql.unsafe("SELEC 1")))).toBeUndefined();
    expect(classifyDbError(new Error("boom"))).toBeUndefined();
    expect(classifyDbError(undefined)).toBeUndefined();
  });

  test("a wrapped error is classified through its cause; too_many_connections (53300) is unavailability", () => {
    const pgError = Object.assign(new Error("sorry, too many clients already"), { code: "53300" });
    expect(classifyDbError(new Error("query failed", { cause: pgError }))).toEqual({
      kind: "unavailable",
      reason: "too_many_connections",
      code: "53300",
    });
  });
});
