// Middleware that gives every request an id, a trace context (a server span when tracing is on) and a request-bound logger.
import { context } from "@opentelemetry/api";
import type { MiddlewareHandler } from "hono";
import type { Logger } from "../logging/logger.ts";
import { endServerSpan, startServerSpan } from "../telemetry/http-spans.ts";
import { continueTrace } from "../telemetry/trace-context.ts";
import type { Tracing } from "../telemetry/tracer.ts";
import { ROUTINE_PATHS, routeTemplate } from "./access-log.ts";
import type { AppEnv } from "./app-env.ts";
import { requestIdFrom } from "./request-id.ts";

export function requestContext(log: Logger, tracing: Tracing): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const requestId = requestIdFrom(c.req.header("x-request-id"));
    // Tracing off: the ids are still propagated and logged (own W3C parsing, no spans).
    const server = tracing.enabled && !ROUTINE_PATHS.has(c.req.path) ? startServerSpan(tracing.tracer, c.req.method, c.req.path, c.req.raw.headers) : undefined;
    const trace = server ? server.trace : continueTrace(c.req.header("traceparent"), c.req.header("tracestate"));
    c.set("requestId", requestId);
    c.set("trace", trace);
    c.set("log", log.child({ request_id: requestId, trace_id: trace.traceId, span_id: trace.spanId }));
    // Not sampled (most requests at the default 10 %): its ids are logged and passed on, but nothing runs in its
    // context, so no child spans, context propagation or log lookups cost anything further down.
    if (!server?.span.isRecording()) {
      await next();
      c.header("x-request-id", requestId);
      return;
    }
    try {
      await context.with(server.context, next);
    } catch (err) {
      endServerSpan(server.span, c.req.method, 500, routeTemplate(c), err);
      throw err;
    }
    c.header("x-request-id", requestId);
    const template = routeTemplate(c);
    // A thrown 4xx (validation, AppError) is the client's mistake: only 5xx make the span an error.
    endServerSpan(server.span, c.req.method, c.res.status, template === "unmatched" ? undefined : template, c.res.status >= 500 ? c.error : undefined);
  };
}
