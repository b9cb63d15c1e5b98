// Classifies a failed database call: is it a temporary unavailability (timeout, no connection, server going away) or not? Data only.

/** Why the database could not answer now; every reason is temporary: the same call may succeed a moment later. */
export type DbUnavailableReason =
  /** 57014: statement_timeout fired (e.g. waiting behind a table lock) or the statement was cancelled. */
  | "statement_timeout"
  /** 55P03: lock_timeout fired, or NOWAIT found the row or table locked. */
  | "lock_timeout"
  /** 53300 (too_many_connections), 53400 (configuration_limit_exceeded): the server refuses more connections. */
  | "too_many_connections"
  /** 57P01–57P05: the server is shutting down, restarting, or terminated this connection (admin, idle timeouts). */
  | "server_shutdown"
  /** Every pool connection stayed busy for the whole acquire timeout (e.g. all in transactions behind a lock). */
  | "pool_exhausted"
  /** Class 08 from the server, or the client lost / could not open a connection (refused, reset, closed, timed out). */
  | "connection";

export interface DbUnavailable {
  /** timeout: the database was reached but did not finish in time (504); unavailable: it could not be used (503). */
  kind: "timeout" | "unavailable";
  reason: DbUnavailableReason;
  /** The SQLSTATE or client error code it was read from (e.g. "57014", "ECONNREFUSED", "CONNECTION_CLOSED"). */
  code: string;
}

// postgres.js's own connection errors (src/errors.js) and the socket errors Bun/Node report, as `err.code`.
const CLIENT_CONNECTION_CODES = new Set([
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
  "ConnectionRefused",
  "ConnectionClosed",
]);

/** Thrown when a query, transaction or reserve() waited the pool's acquire timeout without getting a connection. */
export class PoolAcquireTimeout extends Error {
  readonly code = "POOL_ACQUIRE_TIMEOUT";
  constructor(waitedMs: number, poolSize: number) {
    super(`no database connection free within ${waitedMs} ms (all ${poolSize} in use)`);
    this.name = "PoolAcquireTimeout";
  }
}

function reasonOf(code: string): DbUnavailableReason | undefined {
  if (code === "POOL_ACQUIRE_TIMEOUT") return "pool_exhausted";
  if (code === "57014") return "statement_timeout";
  if (code === "55P03") return "lock_timeout";
  if (code === "53300" || code === "53400") return "too_many_connections";
  if (/^57P0[1-5]$/.test(code)) return "server_shutdown";
  if (/^08[0-9A-Z]{3}$/.test(code) || CLIENT_CONNECTION_CODES.has(code)) return "connection";
  return undefined;
}

/**
 * The temporary unavailability `err` stands for, or undefined when it is anything else (a bug, a constraint
 * violation, bad data: those stay errors). Reads `err.code`, then the `cause` chain (wrapped errors).
 */
export function classifyDbError(err: unknown): DbUnavailable | undefined {
  for (let e = err, depth = 0; e && typeof e === "object" && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code !== "string") continue;
    const reason = reasonOf(code);
    if (reason) return { kind: reason === "statement_timeout" || reason === "lock_timeout" ? "timeout" : "unavailable", reason, code };
  }
  return undefined;
}
