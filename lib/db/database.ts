// Opens a service's database: real PostgreSQL when a URL is given, otherwise embedded PGlite on disk.
import { type Logger, silentLogger } from "../logging/logger.ts";
import type { Tracing } from "../telemetry/tracer.ts";
import { type PoolUsage, trackPoolUsage } from "./pool-usage.ts";
import { createSql, type Sql } from "./postgres.ts";

declare global {
  /** Compile-time constant (bun build --define): false in executables built without the embedded database. */
  var BUN_PLATFORM_EMBEDDED_DATABASE: boolean | undefined;
}

export interface OpenDatabaseOptions {
  /** DATABASE_URL; unset or empty means the embedded PGlite under `${dataDir}/${service}`. */
  databaseUrl?: string;
  /** DATA_DIR: parent of the embedded cluster's directory. */
  dataDir: string;
  /** Names the embedded cluster's directory and the connections (application_name). */
  service: string;
  log?: Logger;
  /** Pool size for real PostgreSQL (default 10); the embedded server always gets 1. */
  max?: number;
  statementTimeoutMs?: number;
  /** Longest wait for a free connection when all are busy, in ms (default 0: no limit); see trackPoolUsage. */
  acquireTimeoutMs?: number;
  /** Query spans when on (default: off). */
  tracing?: Tracing;
}

export interface Database {
  sql: Sql;
  /** True when running on embedded PGlite (one connection, no LISTEN/NOTIFY, no statement timeout). */
  embedded: boolean;
  /** How much of the pool is in use (db_pool_* metrics); set by openDatabase, absent on hand-made test databases. */
  pool?: PoolUsage;
  /** Ends the pool (letting in-flight queries finish for up to 5 s), then stops the embedded server. */
  close(): Promise<void>;
}

export async function openDatabase(opts: OpenDatabaseOptions): Promise<Database> {
  const log = opts.log ?? silentLogger;
  const onnotice = (n: { message?: string; code?: string }) => log.debug("postgres notice", { message: n.message, code: n.code });
  const base = { applicationName: opts.service, statementTimeoutMs: opts.statementTimeoutMs, onnotice, tracing: opts.tracing };

  if (opts.databaseUrl) {
    const { sql, usage } = trackPoolUsage(createSql(opts.databaseUrl, { ...base, max: opts.max ?? 10 }), { acquireTimeoutMs: opts.acquireTimeoutMs });
    log.info("database: postgres", { host: safeHost(opts.databaseUrl), max: opts.max ?? 10 });
    return { sql, embedded: false, pool: usage, close: () => sql.end({ timeout: 5 }) };
  }

  // A production build (`bun scripts/build.ts --without-embedded-database`) defines this global as false at compile
  // time: the branch, and with it PGlite and its WASM (~14 MB), is then left out of the executable.
  if (globalThis.BUN_PLATFORM_EMBEDDED_DATABASE !== false) return openEmbedded(opts, base, log);
  throw new Error("DATABASE_URL is required: this executable was built without the embedded database (PGlite)");
}

async function openEmbedded(opts: OpenDatabaseOptions, base: Parameters<typeof createSql>[1], log: Logger): Promise<Database> {
  // Imported lazily: PGlite is large and only needed when no DATABASE_URL is set.
  const { startEmbeddedPostgres } = await import("./embedded.ts");
  const dataDir = `${opts.dataDir.replace(/\/+$/, "")}/${opts.service}`;
  const server = await startEmbeddedPostgres({ dataDir, log });
  const { sql, usage } = trackPoolUsage(createSql(server.url, { ...base, max: server.maxConnections }), { acquireTimeoutMs: opts.acquireTimeoutMs });
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      try {
        await sql.end({ timeout: 5 });
      } finally {
        await server.close();
      }
    })());
  return { sql, embedded: true, pool: usage, close };
}

/** host:port/db of a URL without credentials, for logs. */
function safeHost(url: string): string {
  try {
    const u = new URL(url);
    return `${u.host}${u.pathname}`;
  } catch {
    return "(unparseable url)";
  }
}
