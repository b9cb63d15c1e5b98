// Builds the inference service's dependencies from its parsed config: registry, pools, metrics, limiter, usage step, app.
import type { OpenAPIHono } from "@hono/zod-openapi";
import { createInternalTokenVerifier } from "../../lib/auth/internal-token.ts";
import { createHealth, type Health } from "../../lib/health/health.ts";
import type { AppEnv } from "../../lib/http/app-env.ts";
import type { FetchLike } from "../../lib/http/client/upstream-client.ts";
import type { Logger, LogSink } from "../../lib/logging/logger.ts";
import { createRequestLineWriter } from "../../lib/logging/request-line.ts";
import { createRegistry, type Registry } from "../../lib/metrics/registry.ts";
import { TRACING_OFF, type Tracing } from "../../lib/telemetry/tracer.ts";
import { createApp } from "./app.ts";
import { createPools, type Pools } from "./backends/pool.ts";
import { defaultLimits, type InferenceConfig } from "./config.ts";
import { createAdmission } from "./forward/admission.ts";
import { OpenCalls } from "./forward/open-calls.ts";
import type { InferenceHooks } from "./hooks.ts";
import { createInferenceMetrics } from "./metrics/inference-metrics.ts";
import { resolveRegistry } from "./registry/model-spec.ts";
import { createTokenBudget } from "./usage/token-budget.ts";
import { createTokenCounter, type TokenCounter } from "./usage/token-counter.ts";
import { createUsageStep } from "./usage/usage-step.ts";

export interface AssembledInference {
  app: OpenAPIHono<AppEnv>;
  pools: Pools;
  health: Health;
  metrics: Registry;
  /** Loads its BPE table at the first OpenAI call; counts approximately until then. */
  tokens: TokenCounter;
  /** The model calls in progress (the shutdown ends those still open near its end). */
  openCalls: OpenCalls;
}

export interface AssembleOptions {
  log: Logger;
  fetch?: FetchLike;
  /** Replaces the limiter and the usage step (tests of the seams). */
  hooks?: InferenceHooks;
  tracing?: Tracing;
  /** A counter made elsewhere (tests share one, so the table loads once per process). */
  tokens?: TokenCounter;
  /** The log sink: the hot path writes its access lines straight to it (same lines as the logger's). */
  logSink?: LogSink;
  /** false: plain infer calls take the Hono chain too (see app.ts). */
  hotPath?: boolean;
}

export function assembleInference(cfg: InferenceConfig, opts: AssembleOptions): AssembledInference {
  const { log } = opts;
  const tracing = opts.tracing ?? TRACING_OFF;
  const registry = resolveRegistry(cfg.INFERENCE_MODELS, defaultLimits(cfg), cfg);
  const pools = createPools(registry, {
    breakerFailureThreshold: cfg.BREAKER_FAILURE_THRESHOLD,
    breakerOpenMs: cfg.BREAKER_OPEN_MS,
    fetch: opts.fetch,
    tracing,
    onBreakerChange: (labels, to) => log[to === "open" ? "warn" : "info"]("circuit state changed", { ...labels, to }),
  });
  // Ready once started: backends' health is the readiness checks' and breakers' business, per model, not the probe's.
  const health = createHealth();
  const metrics = createRegistry();
  const budget = createTokenBudget({ policies: cfg.INFERENCE_TOKEN_BUDGETS });
  const inferenceMetrics = createInferenceMetrics(metrics, pools, {
    budgetGroups: cfg.INFERENCE_TOKEN_BUDGETS.map((p) => p.group),
    budgetBuckets: budget.size,
  });
  // Loaded by start.ts before serving when an OpenAI model is registered; never in an OIP-only replica (nor in tests
  // that build the app without starting it, until their first OpenAI call).
  const tokens = opts.tokens ?? createTokenCounter({ deferLoad: true });
  const hooks: InferenceHooks = opts.hooks ?? {
    admit: createAdmission(pools, inferenceMetrics),
    openaiUsage: createUsageStep({ budget, count: tokens.count, startLoading: tokens.startLoading, metrics: inferenceMetrics }),
  };
  const openCalls = new OpenCalls();
  const app = createApp({
    log,
    openCalls,
    pools,
    verifyToken: createInternalTokenVerifier({ jwks: cfg.INTERNAL_AUTH_JWKS, audience: "inference" }),
    health,
    metrics,
    inferenceMetrics,
    hooks,
    tracing,
    hotPath: opts.hotPath,
    accessLine: opts.logSink ? createRequestLineWriter("inference", opts.logSink) : undefined,
  });
  return { app, pools, health, metrics, tokens, openCalls };
}
