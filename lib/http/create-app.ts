// The app factory every service uses: OpenAPIHono with request context, access log, body limit and problem+json errors.
import { OpenAPIHono } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import type { DbUnavailable } from "../db/db-errors.ts";
import type { Logger } from "../logging/logger.ts";
import type { Registry } from "../metrics/registry.ts";
import { TRACING_OFF, type Tracing } from "../telemetry/tracer.ts";
import { accessLog } from "./access-log.ts";
import type { AppEnv } from "./app-env.ts";
import { createErrorHandler } from "./error-handler.ts";
import { type HttpMetricsOptions, httpMetrics } from "./http-metrics.ts";
import { jsonMediaTypeGate } from "./json-media-type.ts";
import { allowedMethodsLookup, methodNotAllowedDetail } from "./method-not-allowed.ts";
import { problemResponse } from "./problem.ts";
import { requestContext } from "./request-context.ts";
import { validationHook } from "./validation-hook.ts";

export interface AppOptions {
  log: Logger;
  /** Largest accepted request body; larger ones answer 413 before a handler reads them. */
  bodyLimitBytes?: number;
  /** When given, every request is counted and timed in this registry (http_requests_total, …); serve it with registerMetricsRoute. */
  metrics?: HttpMetricsOptions;
  /** A server span per request (probes excepted) when on (default: off). */
  tracing?: Tracing;
}

export const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;

/** Counts requests answered 503/504 because the database was unavailable, by reason (statement_timeout, connection, …). */
function databaseUnavailableCounter(registry: Registry): (fault: DbUnavailable) => void {
  const counter = registry.counter({
    name: "http_database_unavailable_total",
    help: "Requests answered 503/504 (database_unavailable, database_timeout) because the database timed out or could not be reached, by reason",
    labelNames: ["reason"],
  });
  return (fault) => counter.labels(fault.reason).inc();
}

export function createServiceApp(opts: AppOptions): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  const maxSize = opts.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES;

  // Outermost, so the duration and status include every other middleware and the error handler's answer.
  if (opts.metrics) app.use(httpMetrics(opts.metrics));
  app.use(requestContext(opts.log, opts.tracing ?? TRACING_OFF));
  app.use(accessLog());
  app.use(
    bodyLimit({
      maxSize,
      onError: (c) =>
        problemResponse("payload_too_large", {
          detail: `Request body exceeds ${maxSize} bytes.`,
          requestId: c.get("requestId"),
          instance: c.req.path,
        }),
    }),
  );
  app.use(jsonMediaTypeGate(() => app.openAPIRegistry.definitions as never));

  const allowedMethods = allowedMethodsLookup(() => app.routes);
  app.notFound((c) => {
    const allow = allowedMethods(c.req.path);
    const requestId = c.get("requestId");
    if (allow.length > 0) {
      return problemResponse("method_not_allowed", {
        detail: methodNotAllowedDetail(c.req.method, allow),
        headers: { allow: allow.join(", ") },
        requestId,
        instance: c.req.path,
      });
    }
    return problemResponse("not_found", { detail: "No route matches this path.", requestId, instance: c.req.path });
  });
  app.onError(createErrorHandler({ onDatabaseUnavailable: opts.metrics ? databaseUnavailableCounter(opts.metrics.registry) : undefined }));
  return app;
}
