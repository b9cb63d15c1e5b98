// createApp(deps): the notifications HTTP app, pure (no I/O of its own) so tests and the contract generator can build it.
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
import type { DeadLetterReader } from "./dead-letters/dead-letter-reader.ts";
import { registerDeadLetterRoutes } from "./dead-letters/handlers.ts";
import type { Replayer } from "./dead-letters/replay.ts";
import { registerNotificationRoutes } from "./notifications/handlers.ts";
import type { NotificationsRepository } from "./notifications/repository.ts";

export interface NotificationsAppDeps {
  log: Logger;
  repo: NotificationsRepository;
  deadLetters: DeadLetterReader;
  replayer: Replayer;
  verifyToken: InternalTokenVerifier;
  health: Health;
  bodyLimitBytes?: number;
  /** Where HTTP metrics go and what /metrics serves; start.ts adds the process metrics. A fresh registry otherwise. */
  metrics?: Registry;
  /** A server span per request when on (default: off). */
  tracing?: Tracing;
}

export const DOCS_INFO = {
  title: "Notifications API",
  version: VERSION,
  description:
    "Notifications sent to customers about their orders (from the order events on the broker), and the admin API of the worker's dead letters. " +
    "Reached through the gateway, which mints the internal token.",
};

/** Buckets of http_request_duration_seconds: reads are one query, replays a broker round trip per message; 1 ms to 5 s. */
export const HTTP_DURATION_BUCKETS = DEFAULT_DURATION_BUCKETS;

export function createApp(deps: NotificationsAppDeps): OpenAPIHono<AppEnv> {
  const metrics = deps.metrics ?? createRegistry();
  const app = createServiceApp({
    log: deps.log,
    bodyLimitBytes: deps.bodyLimitBytes,
    metrics: { registry: metrics, durationBuckets: HTTP_DURATION_BUCKETS },
    tracing: deps.tracing,
  });
  registerHealthRoutes(app, deps.health);
  registerMetricsRoute(app, metrics);
  registerNotificationRoutes(app, { repo: deps.repo, verifyToken: deps.verifyToken });
  registerDeadLetterRoutes(app, { reader: deps.deadLetters, replayer: deps.replayer, verifyToken: deps.verifyToken });
  registerDocs(app, DOCS_INFO);
  return app;
}
