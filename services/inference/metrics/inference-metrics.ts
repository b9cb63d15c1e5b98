// Binds the inference families to the registry's models and backends once, and records calls on the bound series.
import { circuitStateValue } from "../../../lib/http/client/circuit-breaker.ts";
import type { CounterSeries, HistogramSeries, Registry } from "../../../lib/metrics/registry.ts";
import type { Backend } from "../backends/backend.ts";
import type { Pools } from "../backends/pool.ts";
import type { Protocol } from "../registry/registry-schema.ts";
import type { TokenUsage } from "../usage/token-usage.ts";
import { type InferenceFamilies, registerInferenceFamilies } from "./families.ts";

/** gen_ai.operation.name: the conventions' `chat` and `embeddings`, and `infer` (a custom value) for OIP v2. */
export type GenAiOperation = "chat" | "embeddings" | "infer";
/** Model calls the service makes; `metadata` (GET /v1/models/{model}) is no GenAI operation and has no GenAI series. */
export type Operation = GenAiOperation | "metadata";
export const OPERATIONS_BY_PROTOCOL: Record<Protocol, readonly GenAiOperation[]> = { openai: ["chat", "embeddings"], "oip-v2": ["infer"] };
/** gen_ai.provider.name: the API flavour the backend speaks (the conventions allow custom values). */
export const PROVIDER: Record<Protocol, string> = { openai: "openai", "oip-v2": "oip_v2" };

/** error.type of gen_ai_server_request_duration_seconds; success has none (an empty label, the same as absent in PromQL). */
export const ERROR_TYPES = ["timeout", "unavailable", "queue_full", "queue_timeout", "backend_error", "rejected", "client_closed", "_OTHER"] as const;
export type ErrorType = (typeof ERROR_TYPES)[number];

/** The error type of a failed call from its problem code (the limiter's refusals are classified where they happen). */
export function errorTypeOf(code: string): ErrorType {
  if (code.endsWith("_timeout")) return "timeout";
  switch (code) {
    case "model_unavailable":
      return "unavailable";
    case "backend_error":
    case "backend_response_too_large":
      return "backend_error";
    case "inference_rejected":
      return "rejected";
    case "client_closed_request":
      return "client_closed";
    default:
      return "_OTHER";
  }
}

/** The series of one model and operation. */
export interface OperationSeries {
  /** By error type; `ok` is the success series. */
  duration: Record<ErrorType | "ok", HistogramSeries>;
  timeToFirstToken: HistogramSeries;
  timePerOutputToken: HistogramSeries;
  inputTokens: HistogramSeries;
  outputTokens: HistogramSeries;
  usageEstimated: CounterSeries;
}

export interface ModelSeries {
  queueWait: HistogramSeries;
  operations: Partial<Record<GenAiOperation, OperationSeries>>;
}

export interface InferenceMetrics {
  /** The bound series of a registry model (every model is bound at creation). */
  model(name: string): ModelSeries;
  /** One backend attempt: its outcome ("ok" or a problem code) and time to response headers. */
  attempt(b: Backend, outcome: string, seconds: number): void;
  /** A call refused by the caller's token budget of `group`. */
  budgetRefused(group: string): void;
}

export interface MetricsOptions {
  /** Budget groups with a policy (the only values of the `group` label). */
  budgetGroups?: readonly string[];
  /** Buckets the token budget holds, read at scrape time. */
  budgetBuckets?: () => number;
}

/** Registers the inference families in `registry` and binds every model and backend of `pools` (the registry's names only). */
export function createInferenceMetrics(registry: Registry, pools: Pools, opts: MetricsOptions = {}): InferenceMetrics {
  const sampled: (() => void)[] = [];
  const f = registerInferenceFamilies(registry, () => {
    for (const s of sampled) s();
  });
  const models = new Map<string, ModelSeries>();
  const attempts = new Map<Backend, { ok: CounterSeries; latency: HistogramSeries }>();
  for (const pool of pools.values()) {
    const name = pool.spec.name;
    const inFlight = f.inFlight.labels(name);
    const queued = f.queueDepth.labels(name);
    const full = f.queueRejected.labels(name, "queue_full");
    const timedOut = f.queueRejected.labels(name, "queue_timeout");
    const limiter = pool.limiter;
    sampled.push(() => {
      const st = limiter.stats();
      inFlight.set(st.inFlight);
      queued.set(st.queued);
      // The counters follow the limiter's totals: they count refusals, not scrapes.
      full.inc(Math.max(0, st.queueFull - full.value));
      timedOut.inc(Math.max(0, st.queueTimeout - timedOut.value));
    });
    for (const b of pool.backends) {
      const [outstanding, ready, circuit] = [f.backendInFlight, f.backendReady, f.circuitState].map((family) => family.labels(name, b.spec.name));
      sampled.push(() => {
        outstanding?.set(b.outstanding);
        ready?.set(b.ready ? 1 : 0);
        circuit?.set(circuitStateValue(b.breaker.state()));
      });
      attempts.set(b, { ok: f.backendAttempts.labels(name, b.spec.name, "ok"), latency: f.backendLatency.labels(name, b.spec.name) });
    }
    const operations: ModelSeries["operations"] = {};
    for (const op of OPERATIONS_BY_PROTOCOL[pool.spec.protocol]) operations[op] = bindOperation(f, name, pool.spec.protocol, op);
    models.set(name, { queueWait: f.queueWait.labels(name), operations });
  }
  const refused = new Map((opts.budgetGroups ?? []).map((g) => [g, f.budgetRefused.labels(g)]));
  const buckets = f.budgetBuckets.labels();
  const budgetBuckets = opts.budgetBuckets ?? (() => 0);
  sampled.push(() => buckets.set(budgetBuckets()));

  return {
    model(name) {
      const m = models.get(name);
      if (m === undefined) throw new Error(`model ${name} is not in the registry`);
      return m;
    },
    attempt(b, outcome, seconds) {
      const s = attempts.get(b);
      if (s === undefined) return;
      if (outcome === "ok") s.ok.inc();
      else f.backendAttempts.labels(b.model, b.spec.name, outcome).inc();
      // Latency to response headers: only attempts that got an answer have one.
      if (outcome === "ok" || outcome === "backend_error") s.latency.observe(seconds);
    },
    budgetRefused: (group) => refused.get(group)?.inc(),
  };
}

function bindOperation(f: InferenceFamilies, model: string, protocol: Protocol, op: GenAiOperation): OperationSeries {
  const provider = PROVIDER[protocol];
  const byError = Object.fromEntries(ERROR_TYPES.map((e) => [e, f.duration.labels(op, provider, model, e)]));
  return {
    duration: { ok: f.duration.labels(op, provider, model, ""), ...byError } as OperationSeries["duration"],
    timeToFirstToken: f.timeToFirstToken.labels(op, provider, model),
    timePerOutputToken: f.timePerOutputToken.labels(op, provider, model),
    inputTokens: f.tokenUsage.labels(op, provider, model, "input"),
    outputTokens: f.tokenUsage.labels(op, provider, model, "output"),
    usageEstimated: f.usageEstimated.labels(op, model),
  };
}

/** Token usage of one call. Embeddings produce no output tokens, so none is recorded for them. */
export function recordUsage(op: OperationSeries, usage: TokenUsage, hasOutput: boolean): void {
  op.inputTokens.observe(usage.inputTokens);
  if (hasOutput) op.outputTokens.observe(usage.outputTokens);
  if (usage.estimated) op.usageEstimated.inc();
}

/**
 * Time per output token of a successful stream (performance.now() milliseconds), as the conventions define it:
 * (end − first token) / (output tokens − 1).
 */
export function recordTimePerOutputToken(op: OperationSeries, t: { firstTokenMs: number; endMs: number; outputTokens: number }): void {
  if (t.outputTokens > 1) op.timePerOutputToken.observe((t.endMs - t.firstTokenMs) / 1000 / (t.outputTokens - 1));
}
