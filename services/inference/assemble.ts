// Builds the inference service's dependencies from its parsed config: the registry, the backend pools and the app.
import type { OpenAPIHono } from "@hono/zod-openapi";
import { createInternalTokenVerifier } from "../../lib/auth/internal-token.ts";
import { createHealth, type Health } from "../../lib/health/health.ts";
import type { AppEnv } from "../../lib/http/app-env.ts";
import type { FetchLike } from "../../lib/http/client/upstream-client.ts";
import type { Logger } from "../../lib/logging/logger.ts";
import { createRegistry, type Registry } from "../../lib/metrics/registry.ts";
import { createApp } from "./app.ts";
import { createPools, type Pools } from "./backends/pool.ts";
import { defaultLimits, type InferenceConfig } from "./config.ts";
import type { InferenceHooks } from "./hooks.ts";
import { resolveRegistry } from "./registry/model-spec.ts";

export interface AssembledInference {
  app: OpenAPIHono<AppEnv>;
  pools: Pools;
  health: Health;
  metrics: Registry;
}

export function assembleInference(cfg: InferenceConfig, opts: { log: Logger; fetch?: FetchLike; hooks?: InferenceHooks }): AssembledInference {
  const { log } = opts;
  const registry = resolveRegistry(cfg.INFERENCE_MODELS, defaultLimits(cfg), cfg);
  const pools = createPools(registry, {
    breakerFailureThreshold: cfg.BREAKER_FAILURE_THRESHOLD,
    breakerOpenMs: cfg.BREAKER_OPEN_MS,
    fetch: opts.fetch,
    onBreakerChange: (labels, to) => log[to === "open" ? "warn" : "info"]("circuit state changed", { ...labels, to }),
  });
  // Ready once started: backends' health is the readiness checks' and breakers' business, per model, not the probe's.
  const health = createHealth();
  const metrics = createRegistry();
  const app = createApp({
    log,
    pools,
    verifyToken: createInternalTokenVerifier({ jwks: cfg.INTERNAL_AUTH_JWKS, audience: "inference" }),
    health,
    metrics,
    hooks: opts.hooks,
  });
  return { app, pools, health, metrics };
}
