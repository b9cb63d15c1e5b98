// Embedded PGlite server: start, query through postgres.js, close cleanly, restart on the same data.
import { afterAll, expect, test } from "bun:test";
import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDatabase } from "./database.ts";
import { startEmbeddedPostgres } from "./embedded.ts";
import { createSql } from "./postgres.ts";

const root = await mkdtemp(join(tmpdir(), "embedded-test-"));
afterAll(() => rm(root, { recursive: true, force: true }));

test("starts, answers through postgres.js, persists across a clean restart", async () => {
  const dataDir = join(root, "cluster");
  const first = await startEmbeddedPostgres({ dataDir });
  expect(first.url).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/);
  expect(first.maxConnections).toBe(1);
  let sql = createSql(first.url, { max: 1 });
  const [v] = await sql<{ version: string }[]>`select version()`;
  expect(v?.version).toContain("PGlite");
  await sql.begin(async (tx) => {
    await tx`create table notes (id serial primary key, body text not null, meta jsonb)`;
    await tx`insert into notes (body, meta) values (${"hello"}, ${tx.json({ a: 1 })})`;
  });
  await sql.end();
  await first.close();
  await first.close(); // idempotent

  const second = await startEmbeddedPostgres({ dataDir });
  sql = createSql(second.url, { max: 1 });
  const rows = await sql`select body, meta from notes`;
  expect([...rows]).toEqual([{ body: "hello", meta: { a: 1 } }]);
  await sql.end();
  await second.close();
}, 60_000);

test("a failed transaction is rolled back and the single connection stays usable", async () => {
  const pg = await startEmbeddedPostgres({ dataDir: join(root, "cluster") }); // reuses the first test's cluster
  const sql = createSql(pg.url, { max: 1 });
  try {
    await sql`create table t (id int primary key)`;
    const err = await sql
      .begin(async (tx) => {
        await tx`insert into t values (1)`;
        await tx`insert into t values (1)`;
      })
      .catch((e) => e);
    expect(err.code).toBe("23505");
    const [row] = await sql`select count(*)::int as n from t`;
    expect(row?.n).toBe(0);
  } finally {
    await sql.end();
    await pg.close();
  }
}, 60_000);

test("openDatabase without a URL runs embedded under dataDir/service and closes both", async () => {
  await cp(join(root, "cluster"), join(root, "svc"), { recursive: true }); // skip a second initdb
  const db = await openDatabase({ dataDir: `${root}/`, service: "svc" });
  expect(db.embedded).toBe(true);
  const [row] = await db.sql`select current_database() as d, (select count(*)::int from notes) as notes`;
  expect(row).toEqual({ d: "postgres", notes: 1 });
  await db.close();
  expect(await Bun.file(join(root, "svc", "PG_VERSION")).exists()).toBe(true);
}, 60_000);
