// Forward-only SQL migrations: one transaction each, checksummed, serialized across replicas by an advisory lock.
import { type Logger, silentLogger } from "../logging/logger.ts";
import type { Sql } from "./postgres.ts";

/** One migration, usually embedded with `import sql from "./migrations/0001_init.sql" with { type: "text" }`. */
export interface Migration {
  /** Unique; migrations run in lexical (code unit) order of their names, e.g. `0001_init.sql`. */
  name: string;
  sql: string;
}

export interface MigrateOptions {
  log?: Logger;
  /** Session advisory lock key (per database) that serializes concurrent runs. */
  lockKey?: number;
}

/** The database and the code disagree; the process must not start. */
export class MigrationError extends Error {
  override name = "MigrationError";
}

/** Default advisory lock key: "MIGR". */
export const DEFAULT_MIGRATION_LOCK_KEY = 0x4d494752;

/**
 * Applies pending migrations in name order, each in its own transaction together with its
 * `schema_migrations` row, on ONE reserved connection holding a session advisory lock for the
 * whole run, so replicas starting together apply each migration exactly once. Refuses to run
 * when an applied migration was edited (checksum), when the database has a migration this code
 * does not know (a newer binary ran), or when a pending migration sorts before an applied one.
 * Statements containing `CREATE INDEX CONCURRENTLY` and the like cannot run in a transaction
 * and are therefore not supported. Works with a pool of `max: 1` (the embedded server).
 */
export async function migrate(sql: Sql, migrations: readonly Migration[], opts: MigrateOptions = {}): Promise<{ applied: string[] }> {
  const log = opts.log ?? silentLogger;
  const lockKey = opts.lockKey ?? DEFAULT_MIGRATION_LOCK_KEY;
  const wanted = await prepare(migrations);
  const started = performance.now();
  const conn = await sql.reserve();
  let locked = false;
  try {
    // Waiting for the lock and running DDL must not be cut short by the pool's statement timeout.
    await conn.unsafe("set statement_timeout = 0");
    const [first] = await conn<{ ok: boolean }[]>`select pg_try_advisory_lock(${lockKey}) as ok`;
    if (!first?.ok) {
      log.info("waiting for the migration lock held by another process", { lock_key: lockKey });
      await conn`select pg_advisory_lock(${lockKey})`;
    }
    locked = true;
    await conn.unsafe(`create table if not exists schema_migrations (
      name text primary key,
      checksum text not null,
      applied_at timestamptz not null default now()
    )`);
    const rows = await conn<{ name: string; checksum: string }[]>`select name, checksum from schema_migrations`;
    const pending = plan(wanted, rows);
    const applied: string[] = [];
    for (const m of pending) {
      const t = performance.now();
      await conn.unsafe("begin");
      try {
        await conn.unsafe(m.sql);
        await conn`insert into schema_migrations (name, checksum) values (${m.name}, ${m.checksum})`;
        await conn.unsafe("commit");
      } catch (err) {
        await conn.unsafe("rollback").catch(() => {});
        log.error("migration failed", { migration: m.name, error: String(err) });
        throw new MigrationError(`migration ${m.name} failed and was rolled back: ${errorText(err)}`, { cause: err });
      }
      applied.push(m.name);
      log.info("migration applied", { migration: m.name, ms: Math.round(performance.now() - t) });
    }
    log.info("migrations done", { applied: applied.length, total: wanted.length, ms: Math.round(performance.now() - started) });
    return { applied };
  } finally {
    try {
      if (locked) await conn`select pg_advisory_unlock(${lockKey})`;
      await conn.unsafe("reset statement_timeout");
    } catch (err) {
      log.warn("could not release the migration lock cleanly", { error: String(err) });
    } finally {
      conn.release();
    }
  }
}

type Checked = Migration & { checksum: string };

async function prepare(migrations: readonly Migration[]): Promise<Checked[]> {
  const sorted = [...migrations].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]?.name === sorted[i - 1]?.name) throw new MigrationError(`duplicate migration name ${sorted[i]?.name}`);
  }
  return Promise.all(sorted.map(async (m) => ({ ...m, checksum: await checksum(m.sql) })));
}

/** Compares the code's migrations with the applied ones and returns those still to run. */
function plan(wanted: Checked[], applied: { name: string; checksum: string }[]): Checked[] {
  const known = new Map(wanted.map((m) => [m.name, m]));
  const done = new Set<string>();
  let lastApplied = "";
  for (const row of applied) {
    const m = known.get(row.name);
    if (!m) {
      throw new MigrationError(
        `database has migration ${row.name} applied that this build does not know; a newer version ran against it — deploy that version or newer`,
      );
    }
    if (m.checksum !== row.checksum) {
      throw new MigrationError(
        `migration ${row.name} was changed after it was applied (checksum ${row.checksum.slice(0, 12)}… in the database, ${m.checksum.slice(0, 12)}… in the code); add a new migration instead`,
      );
    }
    done.add(row.name);
    if (row.name > lastApplied) lastApplied = row.name;
  }
  const pending = wanted.filter((m) => !done.has(m.name));
  const early = pending.find((m) => m.name < lastApplied);
  if (early) {
    throw new MigrationError(`pending migration ${early.name} sorts before the already-applied ${lastApplied}; rename it to sort after it`);
  }
  return pending;
}

/** Hex SHA-256 of the migration text, line endings normalized so a CRLF checkout does not count as an edit. */
export async function checksum(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text.replace(/\r\n/g, "\n")));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

function errorText(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return typeof code === "string" ? `${err.message} (${code})` : err.message;
  }
  return String(err);
}
