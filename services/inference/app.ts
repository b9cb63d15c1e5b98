// createApp(deps): the inference HTTP app, pure (no I/O of its own) so tests and the contract generator can build it.
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { InternalTokenVerifier } from "../../lib/auth/internal-token.ts";
import type { Health } from "../../lib/health/health.ts";
import { registerHealthRoutes } from "../../lib/health/routes.ts";
import type { AppEnv } from "../../lib/http/app-env.ts";
import { createServiceApp } from "../../lib/http/create-app.ts";
import { registerDocs } from "../../lib/http/docs.ts";
import { createHttpMetricFamilies } from "../../lib/http/http-metrics.ts";
import { registerMetricsRoute } from "../../lib/http/metrics-route.ts";
import { isOpenAiPath, withOpenAiError } from "../../lib/http/openai-error.ts";
import type { Logger } from "../../lib/logging/logger.ts";
import type { RequestLineWriter } from "../../lib/logging/request-line.ts";
import { createRegistry, type Registry } from "../../lib/metrics/registry.ts";
import type { Tracing } from "../../lib/telemetry/tracer.ts";
import { VERSION } from "../../lib/version.ts";
import type { Pools } from "./backends/pool.ts";
import type { OpenCalls } from "./forward/open-calls.ts";
import type { InferenceHooks } from "./hooks.ts";
import { createHotPath } from "./http/hot-path.ts";
import type { InferenceEnv } from "./http/inference-env.ts";
import { createInferenceMetrics, type InferenceMetrics } from "./metrics/inference-metrics.ts";
import { oipHotRoutes, registerOipRoutes } from "./oip/handlers.ts";
import { openAiHotRoutes, registerOpenAiRoutes } from "./openai/handlers.ts";

export interface InferenceAppDeps {
  log: Logger;
  pools: Pools;
  verifyToken: InternalTokenVerifier;
  health: Health;
  /** Where HTTP and inference metrics go and what /metrics serves; start.ts adds the process metrics. A fresh registry otherwise. */
  metrics?: Registry;
  /** The inference families bound to `metrics` (assemble.ts makes them, the hooks record on them too); made here when absent. */
  inferenceMetrics?: InferenceMetrics;
  /** The concurrency limiter and the usage/budget step (none: calls go straight to the balancer, nothing is counted). */
  hooks?: InferenceHooks;
  /** Server spans per request and GenAI spans per model call (default: off). */
  tracing?: Tracing;
  /** The hot path's access line straight to the log sink (run.ts passes one); log.info writes the same line otherwise. */
  accessLine?: RequestLineWriter;
  /** false: every request takes the Hono chain, also plain infer calls (tests compare the two paths). Default: on unless tracing is. */
  hotPath?: boolean;
  /** Where model calls in progress are kept for the shutdown (assemble.ts); none: calls are not tracked. */
  openCalls?: OpenCalls;
}

export const DOCS_INFO = {
  title: "Inference API",
  version: VERSION,
  description:
    "The ML inference gateway: a static registry of model servers behind the platform's auth, limits and observability. " +
    "Open Inference Protocol v2 (`/v1/models/{model}/infer`) and OpenAI-compatible calls (`/v1/chat/completions`, `/v1/embeddings`). " +
    "Reached through the gateway, which mints the internal token.",
};

export function createApp(deps: InferenceAppDeps): OpenAPIHono<AppEnv> {
  const registry = deps.metrics ?? createRegistry();
  // Bodies are capped per model; the app-wide cap is the largest of them, so no model's cap is cut short.
  const bodyLimitBytes = Math.max(...[...deps.pools.values()].map((p) => p.spec.limits.maxRequestBytes), 1024);
  const http = createHttpMetricFamilies(registry);
  const app = createServiceApp({ log: deps.log, bodyLimitBytes, metrics: { registry, families: http }, tracing: deps.tracing });
  registerHealthRoutes(app, deps.health);
  registerMetricsRoute(app, registry);
  const call = {
    hooks: deps.hooks ?? {},
    metrics: deps.inferenceMetrics ?? createInferenceMetrics(registry, deps.pools),
    tracing: deps.tracing,
    openCalls: deps.openCalls,
  };
  const routed = app as unknown as OpenAPIHono<InferenceEnv>;
  registerOipRoutes(routed, { ...call, pools: deps.pools, verifyToken: deps.verifyToken });
  registerOpenAiRoutes(routed, { ...call, pools: deps.pools, verifyToken: deps.verifyToken });
  registerDocs(app, DOCS_INFO);
  // The OpenAI-compatible paths' problems also carry OpenAI's `error` member (lib/http/openai-error.ts): decided by
  // the path, on the Hono chain only; the hot path adds it to the problems it answers itself.
  const honoFetch = app.fetch;
  const full: typeof app.fetch = (req, ...rest) => {
    const res = honoFetch(req, ...rest);
    return isOpenAiPath(new URL(req.url).pathname) ? Promise.resolve(res).then(withOpenAiError) : res;
  };
  app.fetch = full;
  // Server spans are made by the Hono chain: with tracing on, every request takes it.
  if (deps.hotPath !== false && !deps.tracing?.enabled) {
    const routes = [...oipHotRoutes({ ...call, pools: deps.pools }), ...openAiHotRoutes({ ...call, pools: deps.pools })];
    const hot = createHotPath({ routes, verifyToken: deps.verifyToken, log: deps.log, http, fallback: (req) => full(req), accessLine: deps.accessLine });
    app.fetch = (req, ...rest) => hot(req) ?? full(req, ...rest);
  }
  return app;
}
