// Per-model inference metrics on the shared registry, named after the OpenTelemetry GenAI semantic conventions in Prometheus form.
//
// OTel → Prometheus: dots become underscores, the unit `s` becomes a `_seconds` suffix, `{token}` adds none; attributes
// keep their names (gen_ai.request.model → gen_ai_request_model). Buckets are the conventions' advised boundaries.
// Labels are bounded by construction: model and backend names come from the static registry, operations, token types
// and error types from the closed lists below; request content never becomes a label.
import type { CircuitState } from "../../lib/http/client/circuit-breaker.ts";
import type { LimiterStats } from "../../lib/http/concurrency-limiter.ts";
import type { CounterSeries, GaugeSeries, HistogramSeries, Registry } from "../../lib/metrics/registry.ts";
import type { TokenUsage } from "./usage/token-usage.ts";

/** gen_ai.operation.name: the conventions' `chat` and `embeddings`, and `infer` (a custom value) for OIP v2. */
export type GenAiOperation = "chat" | "embeddings" | "infer";
export type Protocol = "openai" | "oip-v2";
export const OPERATIONS_BY_PROTOCOL: Record<Protocol, readonly GenAiOperation[]> = { openai: ["chat", "embeddings"], "oip-v2": ["infer"] };
/** gen_ai.provider.name: the API flavour the backend speaks (the conventions allow custom values). */
const PROVIDER: Record<Protocol, string> = { openai: "openai", "oip-v2": "oip_v2" };

/** error.type of gen_ai_server_request_duration_seconds; success has none (an empty label, the same as absent in PromQL). */
export const ERROR_TYPES = [
  "timeout",
  "circuit_open",
  "queue_full",
  "queue_timeout",
  "budget_exceeded",
  "backend_error",
  "network",
  "invalid_response",
  "client_closed",
  "_OTHER",
] as const;
export type ErrorType = (typeof ERROR_TYPES)[number];

export const TOKEN_USAGE_BUCKETS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864] as const;
export const REQUEST_DURATION_BUCKETS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92] as const;
export const TIME_TO_FIRST_TOKEN_BUCKETS = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10] as const;
export const TIME_PER_OUTPUT_TOKEN_BUCKETS = [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2.5] as const;
/** Queue waits end at the queue timeout (seconds); backend latency to the first response byte spans ms to a minute. */
export const QUEUE_WAIT_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] as const;
export const BACKEND_LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] as const;

/** What `recordUsage` / `recordStream` need: the series of one model and operation. */
export interface OperationSeries {
  /** By error type; `ok` is the success series. */
  duration: Record<ErrorType | "ok", HistogramSeries>;
  timeToFirstToken: HistogramSeries;
  timePerOutputToken: HistogramSeries;
  inputTokens: HistogramSeries;
  outputTokens: HistogramSeries;
  usageEstimated: CounterSeries;
}

export interface BackendSeries {
  /** Time from sending to the backend's response headers, one observation per attempt. */
  latency: HistogramSeries;
}

export interface ModelSeries {
  queueWait: HistogramSeries;
  operations: Partial<Record<GenAiOperation, OperationSeries>>;
  backends: Record<string, BackendSeries>;
}

/** A model as the registry defines it, with the objects whose state is read at scrape time. */
export interface ModelMetricsInput {
  name: string;
  protocol: Protocol;
  backends: readonly { name: string; breaker: { state(): CircuitState } }[];
  limiter: { stats(): LimiterStats };
}

export interface InferenceMetrics {
  /** Binds a model's series once (at startup); keep the result, the hot path then does no label lookups. */
  bindModel(model: ModelMetricsInput): ModelSeries;
  /** inference_token_budget_refused_total of a budget group. */
  bindBudgetGroup(group: string): CounterSeries;
}

const CIRCUIT_VALUE: Record<CircuitState, number> = { closed: 0, half_open: 1, open: 2 };
const MODEL = "gen_ai_request_model";
const GEN_AI = ["gen_ai_operation_name", "gen_ai_provider_name", MODEL] as const;

/** Registers the inference families in `registry`. `budgetBuckets` is read at scrape time (TokenBudget.size). */
export function createInferenceMetrics(registry: Registry, budgetBuckets: () => number = () => 0): InferenceMetrics {
  const tokenUsage = registry.histogram({
    name: "gen_ai_client_token_usage",
    help: "Input and output tokens per call (as the backend reported them, or estimated), by operation, model and token type",
    labelNames: [...GEN_AI, "gen_ai_token_type"],
    buckets: TOKEN_USAGE_BUCKETS,
  });
  const duration = registry.histogram({
    name: "gen_ai_server_request_duration_seconds",
    help: "Time from receiving a GenAI request to its last byte (queueing included), by operation, model and error type",
    labelNames: [...GEN_AI, "error_type"],
    buckets: REQUEST_DURATION_BUCKETS,
  });
  const ttft = registry.histogram({
    name: "gen_ai_server_time_to_first_token_seconds",
    help: "Time from receiving a streamed request to forwarding its first token, by operation and model",
    labelNames: GEN_AI,
    buckets: TIME_TO_FIRST_TOKEN_BUCKETS,
  });
  const tpot = registry.histogram({
    name: "gen_ai_server_time_per_output_token_seconds",
    help: "Time per output token after the first of successful streams (1 / output tokens per second), by operation and model",
    labelNames: GEN_AI,
    buckets: TIME_PER_OUTPUT_TOKEN_BUCKETS,
  });
  const estimated = registry.counter({
    name: "inference_usage_estimated_total",
    help: "Calls whose backend reported no usage, so the gateway counted the tokens itself, by operation and model",
    labelNames: ["gen_ai_operation_name", MODEL],
  });
  const sampled: { limiter: ModelMetricsInput["limiter"]; inFlight: GaugeSeries; queued: GaugeSeries; full: CounterSeries; timedOut: CounterSeries }[] = [];
  const breakers: { breaker: { state(): CircuitState }; state: GaugeSeries }[] = [];
  const sample = () => {
    for (const s of sampled) {
      const st = s.limiter.stats();
      s.inFlight.set(st.inFlight);
      s.queued.set(st.queued);
      s.full.inc(Math.max(0, st.queueFull - s.full.value));
      s.timedOut.inc(Math.max(0, st.queueTimeout - s.timedOut.value));
    }
  };
  // The first sampled family reads every limiter once per scrape; the others render what it set.
  const inFlight = registry.gauge({
    name: "inference_requests_in_flight",
    help: "Calls holding a concurrency slot, by model",
    labelNames: [MODEL],
    collect: sample,
  });
  const queueDepth = registry.gauge({ name: "inference_queue_depth", help: "Calls waiting for a concurrency slot, by model", labelNames: [MODEL] });
  const queueWait = registry.histogram({
    name: "inference_queue_wait_seconds",
    help: "Time admitted calls waited for a concurrency slot, by model",
    labelNames: [MODEL],
    buckets: QUEUE_WAIT_BUCKETS,
  });
  const rejected = registry.counter({
    name: "inference_queue_rejected_total",
    help: "Calls refused by a model's concurrency limit, by model and reason (queue_full → 429, queue_timeout → 503)",
    labelNames: [MODEL, "reason"],
  });
  const backendLatency = registry.histogram({
    name: "inference_backend_request_duration_seconds",
    help: "Time from sending a call to a backend to its response headers, per attempt, by model and backend",
    labelNames: [MODEL, "backend"],
    buckets: BACKEND_LATENCY_BUCKETS,
  });
  const circuit = registry.gauge({
    name: "inference_backend_circuit_state",
    help: "Circuit breaker state per backend: 0 closed, 1 half-open, 2 open",
    labelNames: [MODEL, "backend"],
    collect: () => {
      for (const b of breakers) b.state.set(CIRCUIT_VALUE[b.breaker.state()]);
    },
  });
  const budgetRefused = registry.counter({
    name: "inference_token_budget_refused_total",
    help: "Calls refused before reaching a backend because the caller's token budget could not cover them, by budget group",
    labelNames: ["group"],
  });
  const budgetBucketsSeries: GaugeSeries = registry
    .gauge({ name: "inference_token_budget_buckets", help: "Callers' token buckets held in memory", collect: () => budgetBucketsSeries.set(budgetBuckets()) })
    .labels();

  const bindOperation = (model: string, protocol: Protocol, op: GenAiOperation): OperationSeries => {
    const provider = PROVIDER[protocol];
    const byError = Object.fromEntries(ERROR_TYPES.map((e) => [e, duration.labels(op, provider, model, e)]));
    return {
      duration: { ok: duration.labels(op, provider, model, ""), ...byError } as OperationSeries["duration"],
      timeToFirstToken: ttft.labels(op, provider, model),
      timePerOutputToken: tpot.labels(op, provider, model),
      inputTokens: tokenUsage.labels(op, provider, model, "input"),
      outputTokens: tokenUsage.labels(op, provider, model, "output"),
      usageEstimated: estimated.labels(op, model),
    };
  };

  return {
    bindModel(m) {
      sampled.push({
        limiter: m.limiter,
        inFlight: inFlight.labels(m.name),
        queued: queueDepth.labels(m.name),
        full: rejected.labels(m.name, "queue_full"),
        timedOut: rejected.labels(m.name, "queue_timeout"),
      });
      const backends: Record<string, BackendSeries> = {};
      for (const b of m.backends) {
        breakers.push({ breaker: b.breaker, state: circuit.labels(m.name, b.name) });
        backends[b.name] = { latency: backendLatency.labels(m.name, b.name) };
      }
      const operations: ModelSeries["operations"] = {};
      for (const op of OPERATIONS_BY_PROTOCOL[m.protocol]) operations[op] = bindOperation(m.name, m.protocol, op);
      return { queueWait: queueWait.labels(m.name), operations, backends };
    },
    bindBudgetGroup: (group) => budgetRefused.labels(group),
  };
}

/** Token usage of one call. Embeddings produce no output tokens, so none is recorded for them. */
export function recordUsage(op: OperationSeries, usage: TokenUsage, hasOutput: boolean): void {
  op.inputTokens.observe(usage.inputTokens);
  if (hasOutput) op.outputTokens.observe(usage.outputTokens);
  if (usage.estimated) op.usageEstimated.inc();
}

/**
 * Timings of a successful stream (performance.now() milliseconds): time to first token from the request's arrival,
 * and time per output token after the first, as the conventions define it: (end − first token) / (output tokens − 1).
 */
export function recordStream(op: OperationSeries, t: { startMs: number; firstTokenMs: number; endMs: number; outputTokens: number }): void {
  op.timeToFirstToken.observe((t.firstTokenMs - t.startMs) / 1000);
  if (t.outputTokens > 1) op.timePerOutputToken.observe((t.endMs - t.firstTokenMs) / 1000 / (t.outputTokens - 1));
}
