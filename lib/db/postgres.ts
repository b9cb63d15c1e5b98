// postgres.js pool factory: bounded connect time, server-side statement timeout, prepared statements, query spans when tracing.
import postgres from "postgres";
import { TRACING_OFF, type Tracing } from "../telemetry/tracer.ts";
import { instrumentQueries } from "./query-spans.ts";

/** The postgres.js client every service uses (a pool; `sql.begin`, `sql.reserve`, `sql.end`). */
export type Sql = postgres.Sql;
/** The `tx` of `sql.begin(async (tx) => …)`: queries in one transaction. */
export type TransactionSql = postgres.TransactionSql;
/** Where queries run: the pool or a transaction. Functions that only query take this, so they work inside `sql.begin`. */
export type Db = Sql | TransactionSql;
/** A server notice (e.g. "relation already exists, skipping"). */
export type Notice = postgres.Notice;

export interface SqlOptions {
  /** Pool size (default 10). Must be 1 for the embedded PGlite server. */
  max?: number;
  /** Give up opening a connection after this long (default 10 s). */
  connectTimeoutSeconds?: number;
  /** Server-side `statement_timeout` for every statement (default 30 000 ms; 0 disables). */
  statementTimeoutMs?: number;
  /** Close connections idle this long (default 0: never; connections are then recycled only by max lifetime). */
  idleTimeoutSeconds?: number;
  /** Reported in pg_stat_activity (default "bun-platform"). */
  applicationName?: string;
  /** Server notices; discarded by default (postgres.js would print them with console.log). */
  onnotice?: (notice: Notice) => void;
  /** A span per query inside a traced operation when tracing is on (default: off). */
  tracing?: Tracing;
}

const discard = () => {};

/**
 * Creates a lazy pool: no connection is opened until the first query. `statement_timeout` and
 * `application_name` travel in the startup packet, so they cost no extra round trip.
 */
export function createSql(url: string, opts: SqlOptions = {}): Sql {
  const sql = postgres(url, {
    max: opts.max ?? 10,
    connect_timeout: opts.connectTimeoutSeconds ?? 10,
    idle_timeout: opts.idleTimeoutSeconds ?? 0,
    prepare: true,
    onnotice: opts.onnotice ?? discard,
    connection: {
      application_name: opts.applicationName ?? "bun-platform",
      statement_timeout: opts.statementTimeoutMs ?? 30_000,
    },
  });
  // A span per query when tracing is on; nothing otherwise.
  const tracing = opts.tracing ?? TRACING_OFF;
  if (tracing.enabled) instrumentQueries(sql, tracing);
  return sql;
}
