// Migration runner behaviour on real PostgreSQL and embedded PGlite, plus concurrent replicas on PostgreSQL.
import { beforeEach, expect, test } from "bun:test";
import { createLogger } from "../logging/logger.ts";
import { describeEachDatabase } from "../testing/each-database.ts";
import { checksum, type Migration, MigrationError, migrate } from "./migrate.ts";
import { createSql, type Sql } from "./postgres.ts";

const m1: Migration = { name: "0001_init.sql", sql: "create table widgets (id int primary key, name text not null);" };
const m2: Migration = {
  name: "0002_more.sql",
  sql: "alter table widgets add column color text;\ninsert into widgets (id, name, color) values (1, 'a', 'red');",
};
const m3: Migration = { name: "0003_index.sql", sql: "create index widgets_name on widgets (name);" };

const names = async (sql: Sql) => (await sql<{ name: string }[]>`select name from schema_migrations order by name`).map((r) => r.name);
const tableExists = async (sql: Sql, table: string) => (await sql<{ t: string | null }[]>`select to_regclass(${table})::text as t`)[0]?.t != null;

/** Advisory locks held in this database (pg_locks is server-wide; other suites may run at once). */
const advisoryLocks = async (sql: Sql) =>
  (
    await sql<{ n: number }[]>`
    select count(*)::int as n from pg_locks
    where locktype = 'advisory' and database = (select oid from pg_database where datname = current_database())`
  )[0]?.n;

describeEachDatabase("migrate", (db, { kind, url }) => {
  beforeEach(async () => {
    await db().unsafe("drop schema public cascade; create schema public;");
  });

  test("applies pending migrations in name order, whatever the input order", async () => {
    const { applied } = await migrate(db(), [m3, m1, m2]);
    expect(applied).toEqual([m1.name, m2.name, m3.name]);
    expect(await names(db())).toEqual([m1.name, m2.name, m3.name]);
    const rows = await db()`select id, name, color from widgets`;
    expect([...rows]).toEqual([{ id: 1, name: "a", color: "red" }]);
    const [row] = await db()`select checksum from schema_migrations where name = ${m1.name}`;
    expect(row?.checksum).toBe(await checksum(m1.sql));
  });

  test("re-running applies nothing; adding one applies only it", async () => {
    await migrate(db(), [m1, m2]);
    expect((await migrate(db(), [m1, m2])).applied).toEqual([]);
    expect((await migrate(db(), [m1, m2, m3])).applied).toEqual([m3.name]);
    expect(await names(db())).toEqual([m1.name, m2.name, m3.name]);
  });

  test("refuses when an applied migration's text changed", async () => {
    await migrate(db(), [m1]);
    const edited = { ...m1, sql: `${m1.sql}\n-- edited` };
    const err = await migrate(db(), [edited, m2]).catch((e) => e);
    expect(err).toBeInstanceOf(MigrationError);
    expect(String(err.message)).toContain("0001_init.sql was changed after it was applied");
    expect(await tableExists(db(), "widgets")).toBe(true);
    expect(await names(db())).toEqual([m1.name]); // m2 was not applied either
  });

  test("CRLF line endings do not count as a change", async () => {
    await migrate(db(), [m1, m2]);
    expect((await migrate(db(), [m1, { ...m2, sql: m2.sql.replace(/\n/g, "\r\n") }])).applied).toEqual([]);
  });

  test("refuses when the database has a migration this code does not know", async () => {
    await migrate(db(), [m1, m2]);
    const err = await migrate(db(), [m1]).catch((e) => e);
    expect(err).toBeInstanceOf(MigrationError);
    expect(String(err.message)).toContain("0002_more.sql applied that this build does not know");
  });

  test("refuses a pending migration that sorts before an applied one", async () => {
    await migrate(db(), [m1, m3]);
    const err = await migrate(db(), [m1, m2, m3]).catch((e) => e);
    expect(err).toBeInstanceOf(MigrationError);
    expect(String(err.message)).toContain("0002_more.sql sorts before the already-applied 0003_index.sql");
  });

  test("refuses duplicate names", async () => {
    const err = await migrate(db(), [m1, { ...m1 }]).catch((e) => e);
    expect(err).toBeInstanceOf(MigrationError);
    expect(await tableExists(db(), "schema_migrations")).toBe(false);
  });

  test("a failing migration rolls back entirely and records nothing; earlier ones stay", async () => {
    const bad: Migration = {
      name: "0002_bad.sql",
      sql: "create table gadgets (id int);\ninsert into gadgets values (1);\nselect 1 / 0;",
    };
    const err = await migrate(db(), [m1, bad, m3]).catch((e) => e);
    expect(err).toBeInstanceOf(MigrationError);
    expect(String(err.message)).toContain("0002_bad.sql failed and was rolled back");
    expect(String(err.message)).toContain("22012"); // division_by_zero
    expect(await names(db())).toEqual([m1.name]);
    expect(await tableExists(db(), "gadgets")).toBe(false);
    expect(await tableExists(db(), "widgets_name")).toBe(false);
    // The connection is usable afterwards, outside any transaction, with the lock released.
    expect(await advisoryLocks(db())).toBe(0);
    // Fixed, it applies.
    expect((await migrate(db(), [m1, { ...bad, sql: "create table gadgets (id int);" }, m3])).applied).toEqual([bad.name, m3.name]);
  });

  test("restores the pool's statement_timeout after the run", async () => {
    const before = await db()`show statement_timeout`;
    await migrate(db(), [m1]);
    expect([...(await db()`show statement_timeout`)]).toEqual([...before]);
  });

  test("two runs at once on one pool: each migration applied exactly once", async () => {
    const results = await Promise.all([migrate(db(), [m1, m2, m3]), migrate(db(), [m1, m2, m3])]);
    expect(results.flatMap((r) => r.applied).sort()).toEqual([m1.name, m2.name, m3.name]);
    expect(await names(db())).toEqual([m1.name, m2.name, m3.name]);
  });

  // PGlite serves a single connection, so separate replicas exist only on real PostgreSQL.
  if (kind !== "postgres") return;

  test("replicas migrating at once on an empty database: each migration applied exactly once, none fails", async () => {
    const slow: Migration = { name: "0002_slow.sql", sql: "select pg_sleep(0.3); create table slow (id int);" };
    const all = [m1, slow, m3];
    const lines: string[] = [];
    const log = createLogger({ service: "test", level: "info", sink: (l) => lines.push(l) });
    const clients = Array.from({ length: 6 }, () => createSql(url(), { max: 2 }));
    try {
      const results = await Promise.all(clients.map((c) => migrate(c, all, { log })));
      const appliedAll = results.flatMap((r) => r.applied).sort();
      expect(appliedAll).toEqual(all.map((m) => m.name));
      // The others really did contend for the lock and wait for it.
      expect(lines.filter((l) => l.includes("waiting for the migration lock")).length).toBeGreaterThan(0);
      expect(await names(db())).toEqual(all.map((m) => m.name));
      expect(await advisoryLocks(db())).toBe(0);
    } finally {
      await Promise.all(clients.map((c) => c.end({ timeout: 1 })));
    }
  });
});
