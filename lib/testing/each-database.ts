// Test helper: runs one suite against real PostgreSQL and embedded PGlite, each on a fresh database.
import { afterAll, beforeAll, describe } from "bun:test";
import { cp, mkdtemp, rename, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pglitePackage from "../../node_modules/@electric-sql/pglite/package.json";
import { initEmbeddedCluster, startEmbeddedPostgres } from "../db/embedded.ts";
import { createSql, type Sql } from "../db/postgres.ts";
import { createTempDatabase } from "./temp-database.ts";

export type DatabaseKind = "postgres" | "pglite";

export interface TestDatabaseContext {
  kind: DatabaseKind;
  /** URL of this suite's database (for extra clients; the PGlite one accepts only one connection). */
  url(): string;
}

/**
 * Declares `describe("<title> [postgres]")` and `describe("<title> [pglite]")`, each with its own
 * fresh database shared by the suite's tests; `db()` returns its pool (valid inside tests and
 * hooks). An unreachable PostgreSQL fails the suite; it is never skipped.
 */
export function describeEachDatabase(title: string, body: (db: () => Sql, ctx: TestDatabaseContext) => void): void {
  for (const kind of ["postgres", "pglite"] as const) {
    describe(`${title} [${kind}]`, () => {
      let sql: Sql | undefined;
      let url: string | undefined;
      let cleanup: (() => Promise<void>) | undefined;
      beforeAll(async () => {
        const opened = kind === "postgres" ? await openPostgres() : await openPglite();
        ({ sql, url, cleanup } = opened);
      }, 60_000);
      afterAll(async () => {
        await cleanup?.();
      }, 30_000);
      const db = () => sql ?? fail(`${kind} database for "${title}" is not open (did beforeAll fail?)`);
      body(db, { kind, url: () => url ?? fail(`${kind} database for "${title}" is not open`) });
    });
  }
}

async function openPostgres() {
  const temp = await createTempDatabase();
  const sql = createSql(temp.url, { max: 4, applicationName: "db-test" });
  return {
    sql,
    url: temp.url,
    cleanup: async () => {
      await sql.end({ timeout: 1 });
      await temp.drop();
    },
  };
}

async function openPglite() {
  const dir = await mkdtemp(join(tmpdir(), "pglite-test-"));
  await cp(await pgliteTemplate(), dir, { recursive: true });
  const server = await startEmbeddedPostgres({ dataDir: dir });
  const sql = createSql(server.url, { max: server.maxConnections, applicationName: "db-test" });
  return {
    sql,
    url: server.url,
    cleanup: async () => {
      await sql.end({ timeout: 1 });
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

let template: Promise<string> | undefined;

/**
 * initdb takes seconds, so one initialized cluster per PGlite version is kept in the temp dir,
 * shared by test processes, and copied for each suite. It is built beside and renamed into place,
 * so concurrent test runs never see a half-made one.
 */
function pgliteTemplate(): Promise<string> {
  template ??= (async () => {
    const dir = join(tmpdir(), `pglite-template-${pglitePackage.version}`);
    if (await hasCluster(dir)) return dir;
    const mine = `${dir}.${process.pid}-${crypto.randomUUID().slice(0, 8)}`;
    await initEmbeddedCluster(mine);
    await rename(mine, dir).catch(() => rm(mine, { recursive: true, force: true })); // lost the race: keep theirs
    if (!(await hasCluster(dir))) throw new Error(`PGlite test template ${dir} exists but holds no cluster; delete it`);
    return dir;
  })();
  return template;
}

const hasCluster = (dir: string) =>
  stat(join(dir, "PG_VERSION")).then(
    () => true,
    () => false,
  );

function fail(msg: string): never {
  throw new Error(msg);
}
