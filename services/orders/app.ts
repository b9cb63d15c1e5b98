// createApp(deps): the orders HTTP app, pure (no I/O of its own) so tests and the contract generator can build it.
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { InternalTokenVerifier } from "../../lib/auth/internal-token.ts";
import type { Health } from "../../lib/health/health.ts";
import { registerHealthRoutes } from "../../lib/health/routes.ts";
import type { AppEnv } from "../../lib/http/app-env.ts";
import { createServiceApp } from "../../lib/http/create-app.ts";
import { registerDocs } from "../../lib/http/docs.ts";
import { DEFAULT_DURATION_BUCKETS } from "../../lib/http/http-metrics.ts";
import { registerMetricsRoute } from "../../lib/http/metrics-route.ts";
import type { Logger } from "../../lib/logging/logger.ts";
import { createRegistry, type Registry } from "../../lib/metrics/registry.ts";
import type { Tracing } from "../../lib/telemetry/tracer.ts";
import { VERSION } from "../../lib/version.ts";
import { createIdempotencyMetrics } from "./idempotency/idempotency-metrics.ts";
import type { IdempotencyEnv } from "./idempotency/key.ts";
import { registerOrderRoutes } from "./orders/handlers.ts";
import type { OrdersRepository } from "./orders/repository.ts";

export interface OrdersAppDeps {
  log: Logger;
  repo: OrdersRepository;
  verifyToken: InternalTokenVerifier;
  health: Health;
  idempotencyTtlSeconds: number;
  bodyLimitBytes?: number;
  /** Where HTTP metrics go and what /metrics serves; start.ts adds the process metrics. A fresh registry otherwise. */
  metrics?: Registry;
  newId?: () => string;
  now?: () => Date;
  /** Called after a request committed an outbox row (the in-process relay publishes at once instead of at its next poll). */
  onOutboxWrite?: () => void;
  /** A server span per request when on (default: off). */
  tracing?: Tracing;
}

export const DOCS_INFO = {
  title: "Orders API",
  version: VERSION,
  description: "The order domain: place, read, list and cancel orders. Reached through the gateway, which mints the internal token.",
};

/** Buckets of http_request_duration_seconds: order reads and writes are one or two Postgres round trips, 1 ms to 5 s. */
export const HTTP_DURATION_BUCKETS = DEFAULT_DURATION_BUCKETS;

export function createApp(deps: OrdersAppDeps): OpenAPIHono<AppEnv> {
  const metrics = deps.metrics ?? createRegistry();
  const app = createServiceApp({
    log: deps.log,
    bodyLimitBytes: deps.bodyLimitBytes,
    metrics: { registry: metrics, durationBuckets: HTTP_DURATION_BUCKETS },
    tracing: deps.tracing,
  });
  registerHealthRoutes(app, deps.health);
  registerMetricsRoute(app, metrics);
  registerOrderRoutes(app as unknown as OpenAPIHono<IdempotencyEnv>, {
    repo: deps.repo,
    verifyToken: deps.verifyToken,
    recordIdempotency: createIdempotencyMetrics(metrics),
    idempotencyTtlSeconds: deps.idempotencyTtlSeconds,
    newId: deps.newId ?? (() => Bun.randomUUIDv7()),
    now: deps.now ?? (() => new Date()),
    onOutboxWrite: deps.onOutboxWrite ?? (() => {}),
  });
  registerDocs(app, DOCS_INFO);
  return app;
}
