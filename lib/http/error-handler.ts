// Turns anything thrown in a handler into problem+json: AppError as-is, framework errors mapped, database unavailability 503/504, the rest a logged 500.
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { classifyDbError, type DbUnavailable } from "../db/db-errors.ts";
import type { Logger } from "../logging/logger.ts";
import type { AppEnv } from "./app-env.ts";
import { AppError } from "./app-error.ts";
import type { ErrorCode } from "./error-codes.ts";
import { problemResponse } from "./problem.ts";

/** Seconds a client should wait before retrying after a database timeout or outage: long enough not to pile on, short enough for a brief lock. */
export const DATABASE_RETRY_AFTER_SECONDS = 2;

function codeForHttpException(err: HTTPException): ErrorCode {
  switch (err.status) {
    case 400:
      return /json/i.test(err.message) ? "invalid_json" : "bad_request";
    case 401:
      return "unauthorized";
    case 413:
      return "payload_too_large";
    case 415:
      return "unsupported_media_type";
    case 431:
      return "request_header_too_large";
    default:
      return err.status >= 500 ? "internal_error" : "bad_request";
  }
}

const DB_DETAIL: Record<DbUnavailable["reason"], string> = {
  statement_timeout: "The database did not finish the statement in time (it may be waiting for a lock); retry later.",
  lock_timeout: "The database could not take a lock in time; retry later.",
  too_many_connections: "The database refuses more connections right now; retry later.",
  server_shutdown: "The database is restarting or shutting down; retry later.",
  pool_exhausted: "Every database connection stayed busy (the database may be stalled); retry later.",
  connection: "The database cannot be reached right now; retry later.",
};

export interface ErrorHandlerOptions {
  /** Called for each request answered 503/504 because the database was unavailable (metrics). */
  onDatabaseUnavailable?: (fault: DbUnavailable) => void;
}

/** Where an error is answered: the request's id and path, and its logger for what the client must not see. */
export interface ErrorScope {
  requestId: string | undefined;
  instance: string;
  log: Logger | undefined;
}

/** One mapping from what was thrown to the problem+json answer (the app's onError, and hot paths outside Hono). */
export function problemForError(err: unknown, scope: ErrorScope, opts: ErrorHandlerOptions = {}): Response {
  const { requestId, instance, log } = scope;
  if (err instanceof AppError) {
    return problemResponse(err.code, { detail: err.detail, errors: err.errors, headers: err.headers, requestId, instance });
  }
  if (err instanceof HTTPException && err.status < 500) {
    const code = codeForHttpException(err);
    return problemResponse(code, { detail: err.message, requestId, instance });
  }
  const fault = classifyDbError(err);
  if (fault) {
    // Temporary: a client retry (with the same Idempotency-Key for writes) is the right answer, not an alert-worthy 500.
    opts.onDatabaseUnavailable?.(fault);
    log?.warn("database unavailable", { reason: fault.reason, code: fault.code, err: (err as Error).message });
    return problemResponse(fault.kind === "timeout" ? "database_timeout" : "database_unavailable", {
      detail: DB_DETAIL[fault.reason],
      headers: { "retry-after": String(DATABASE_RETRY_AFTER_SECONDS) },
      requestId,
      instance,
    });
  }
  // Unknown failure: full detail goes to the log only; the client gets a generic body.
  const e = err as Error;
  log?.error("unhandled error", { err: e?.message, name: e?.name, stack: e?.stack });
  return problemResponse("internal_error", { requestId, instance });
}

/** The app's onError. */
export function createErrorHandler(opts: ErrorHandlerOptions = {}): (err: Error, c: Context<AppEnv>) => Response {
  return (err, c) => problemForError(err, { requestId: c.get("requestId"), instance: c.req.path, log: c.get("log") }, opts);
}
