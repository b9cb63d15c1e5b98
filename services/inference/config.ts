// The inference service's environment: common variables, internal auth, the INFERENCE_MODELS registry and its default limits.
import { z } from "zod";
import { jwksEnv } from "../../lib/auth/jwks-env.ts";
import { commonEnv } from "../../lib/config/env.ts";
import { DEFAULT_PORTS } from "../../lib/serve/starting-listener.ts";
import { DEFAULT_IDLE_TIMEOUT_MS } from "./http/socket-idle.ts";
import type { ModelLimits } from "./registry/model-spec.ts";
import { GROUP_NAME, registrySchema } from "./registry/registry-schema.ts";
import type { BudgetPolicy } from "./usage/token-budget.ts";

const int = (fallback: number, min: number, max: number) => z.coerce.number().int().min(min).max(max).default(fallback);
const MiB = 1024 * 1024;

const registryJson = z
  .string()
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: "custom", message: 'must be JSON: {"<model>": {"protocol": "oip-v2" | "openai", "backends": [{"url": …}]}}' });
      return z.NEVER;
    }
  })
  .pipe(registrySchema);

/** `chat=100000,embed=500000` → token budgets per caller and group (tokens per minute). */
export function parseTokenBudgets(text: string): BudgetPolicy[] {
  const out: BudgetPolicy[] = [];
  for (const item of text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = /^([^=\s]+)=(\d{1,10})$/.exec(item);
    const tokensPerMinute = Number(m?.[2]);
    if (!m?.[1] || !GROUP_NAME.test(m[1]) || !(tokensPerMinute >= 1))
      throw new Error(`"${item}" is not group=tokensPerMinute (a group is a-z 0-9 _ - starting with a letter; tokens ≥ 1)`);
    if (out.some((p) => p.group === m[1])) throw new Error(`group ${m[1]} is listed twice`);
    out.push({ group: m[1], tokensPerMinute });
  }
  return out;
}

const tokenBudgets = z.string().transform((text, ctx) => {
  try {
    return parseTokenBudgets(text);
  } catch (err) {
    ctx.addIssue({ code: "custom", message: (err as Error).message });
    return z.NEVER;
  }
});

const declared = {
  ...commonEnv(DEFAULT_PORTS.inference),
  INTERNAL_AUTH_JWKS: jwksEnv.describe("JWKS (JSON) with the gateway's public key(s) for internal tokens"),
  INFERENCE_MODELS: registryJson.describe("The model registry (JSON): public name → protocol, backends and limits"),
  INFERENCE_CONNECT_TIMEOUT_MS: int(2_000, 1, 60_000).describe("Default time a backend has to accept a TCP connection"),
  INFERENCE_FIRST_BYTE_TIMEOUT_MS: int(60_000, 1, 3_600_000).describe("Default time from sending a call to the backend's response headers"),
  INFERENCE_IDLE_TIMEOUT_MS: int(DEFAULT_IDLE_TIMEOUT_MS, 1, 3_600_000).describe("Default longest silence between two chunks of a backend's body"),
  INFERENCE_TOTAL_TIMEOUT_MS: int(600_000, 1, 3_600_000).describe("Default limit of a whole call, retries and streaming included"),
  INFERENCE_MAX_CONCURRENCY: int(64, 1, 100_000).describe("Default calls in flight per model and replica"),
  INFERENCE_QUEUE_SIZE: int(128, 0, 1_000_000).describe("Default calls waiting per model beyond those in flight"),
  INFERENCE_QUEUE_TIMEOUT_MS: int(5_000, 1, 600_000).describe("Default longest wait in a model's queue"),
  INFERENCE_MAX_RESPONSE_BYTES: int(16 * MiB, 1, 1024 * MiB).describe("Default largest backend response (502 beyond)"),
  INFERENCE_MAX_SSE_LINE_BYTES: int(MiB, 1, 16 * MiB).describe("Default longest line in a backend's event stream"),
  INFERENCE_MAX_TENSOR_ELEMENTS: int(1_000_000, 1, 1_000_000_000).describe("Default most elements of all OIP input tensors of a request"),
  INFERENCE_RETRIES: int(2, 0, 5).describe("Default further attempts before anything was generated"),
  INFERENCE_MAX_OUTPUT_TOKENS: int(4_096, 1, 10_000_000).describe("Default output tokens a budget reserves for a call without max_tokens"),
  INFERENCE_TOKEN_BUDGETS: tokenBudgets
    .default([])
    .describe("Tokens per minute per caller and model group, e.g. `chat=100000,embed=500000` (unlisted groups: unlimited)"),
  INFERENCE_READINESS_INTERVAL_MS: int(5_000, 0, 600_000).describe("Period of the backends' readiness checks (0: off)"),
  BREAKER_FAILURE_THRESHOLD: int(5, 1, 1_000).describe("Consecutive failures that open a backend's circuit"),
  BREAKER_OPEN_MS: int(5_000, 1, 600_000).describe("How long an open circuit skips its backend before a half-open probe"),
};

/** Variable names an apiKeyEnv may not point at: the service's own settings are never sent to a backend. */
const OWN_VARIABLES = new Set(Object.keys(declared));

// Loose: the API keys live in variables the registry names, which the schema cannot list.
export const inferenceEnv = z.looseObject(declared).superRefine(
  (cfg, ctx) => {
    const models = cfg.INFERENCE_MODELS;
    if (typeof models !== "object" || models === null) return;
    for (const [name, model] of Object.entries(models)) {
      model.backends.forEach((b, i) => {
        if (b.apiKeyEnv === undefined) return;
        const path = ["INFERENCE_MODELS", name, "backends", i, "apiKeyEnv"];
        if (OWN_VARIABLES.has(b.apiKeyEnv)) ctx.addIssue({ code: "custom", path, message: `${b.apiKeyEnv} is one of the service's own settings` });
        else if (typeof cfg[b.apiKeyEnv] !== "string") ctx.addIssue({ code: "custom", path, message: `names ${b.apiKeyEnv}, which is not set` });
      });
    }
    // A budget for a group no model is in would never apply: a typo must not switch budgets off silently.
    const groups = new Set(Object.entries(models).map(([name, m]) => m.group ?? name));
    for (const p of Array.isArray(cfg.INFERENCE_TOKEN_BUDGETS) ? cfg.INFERENCE_TOKEN_BUDGETS : []) {
      if (!groups.has(p.group))
        ctx.addIssue({ code: "custom", path: ["INFERENCE_TOKEN_BUDGETS"], message: `group ${p.group} is no model's group (a model's "group", or its name)` });
    }
  },
  // Run even when other variables are invalid, so one message lists every problem.
  { when: () => true } as never,
);

export type InferenceConfig = z.infer<typeof inferenceEnv>;

export function defaultLimits(cfg: InferenceConfig): ModelLimits {
  return {
    connectTimeoutMs: cfg.INFERENCE_CONNECT_TIMEOUT_MS,
    firstByteTimeoutMs: cfg.INFERENCE_FIRST_BYTE_TIMEOUT_MS,
    idleTimeoutMs: cfg.INFERENCE_IDLE_TIMEOUT_MS,
    totalTimeoutMs: cfg.INFERENCE_TOTAL_TIMEOUT_MS,
    maxConcurrency: cfg.INFERENCE_MAX_CONCURRENCY,
    queueSize: cfg.INFERENCE_QUEUE_SIZE,
    queueTimeoutMs: cfg.INFERENCE_QUEUE_TIMEOUT_MS,
    maxRequestBytes: cfg.BODY_LIMIT_BYTES,
    maxResponseBytes: cfg.INFERENCE_MAX_RESPONSE_BYTES,
    maxSseLineBytes: cfg.INFERENCE_MAX_SSE_LINE_BYTES,
    maxTensorElements: cfg.INFERENCE_MAX_TENSOR_ELEMENTS,
    retries: cfg.INFERENCE_RETRIES,
    maxOutputTokens: cfg.INFERENCE_MAX_OUTPUT_TOKENS,
  };
}
