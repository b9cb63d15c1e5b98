// Middleware that gives every request an id, a trace context and a request-bound logger.
import type { MiddlewareHandler } from "hono";
import type { Logger } from "../logging/logger.ts";
import { continueTrace } from "../telemetry/trace-context.ts";
import type { AppEnv } from "./app-env.ts";

// Accept a caller's id only when it is short and plain, so it is safe to log and echo.
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestIdFrom(header: string | undefined): string {
  return header && SAFE_REQUEST_ID.test(header) ? header : crypto.randomUUID();
}

export function requestContext(log: Logger): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const requestId = requestIdFrom(c.req.header("x-request-id"));
    const trace = continueTrace(c.req.header("traceparent"), c.req.header("tracestate"));
    c.set("requestId", requestId);
    c.set("trace", trace);
    c.set("log", log.child({ request_id: requestId, trace_id: trace.traceId, span_id: trace.spanId }));
    await next();
    c.header("x-request-id", requestId);
  };
}
