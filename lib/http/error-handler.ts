// Turns anything thrown in a handler into problem+json: AppError as-is, framework errors mapped, the rest a logged 500.
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { AppEnv } from "./app-env.ts";
import { AppError } from "./app-error.ts";
import type { ErrorCode } from "./error-codes.ts";
import { problemResponse } from "./problem.ts";

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

export function onError(err: Error, c: Context<AppEnv>): Response {
  const requestId = c.get("requestId");
  const instance = c.req.path;
  if (err instanceof AppError) {
    return problemResponse(err.code, { detail: err.detail, errors: err.errors, headers: err.headers, requestId, instance });
  }
  if (err instanceof HTTPException && err.status < 500) {
    const code = codeForHttpException(err);
    return problemResponse(code, { detail: err.message, requestId, instance });
  }
  // Unknown failure: full detail goes to the log only; the client gets a generic body.
  c.get("log")?.error("unhandled error", { err: err.message, name: err.name, stack: err.stack });
  return problemResponse("internal_error", { requestId, instance });
}
