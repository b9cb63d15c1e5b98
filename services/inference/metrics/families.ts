// The inference metric families, registered once: per model in OpenTelemetry GenAI semantic-convention names, per backend.
//
// OTel → Prometheus: dots become underscores, the unit `s` becomes a `_seconds` suffix, `{token}` adds none; attributes
// keep their names (gen_ai.request.model → gen_ai_request_model). Buckets are the conventions' advised boundaries.
// Labels are bounded by construction: model and backend names come from the static registry, operations, token types
// and error types from closed lists; request content never becomes a label.
import type { CounterSeries, Family, GaugeSeries, HistogramSeries, Registry } from "../../../lib/metrics/registry.ts";

export const TOKEN_USAGE_BUCKETS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864] as const;
export const REQUEST_DURATION_BUCKETS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92] as const;
export const TIME_TO_FIRST_TOKEN_BUCKETS = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10] as const;
export const TIME_PER_OUTPUT_TOKEN_BUCKETS = [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2.5] as const;
/** Queue waits end at the queue timeout (seconds); backend latency to the first response byte spans ms to a minute. */
export const QUEUE_WAIT_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] as const;
export const BACKEND_LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] as const;

export const MODEL = "gen_ai_request_model";
const GEN_AI = ["gen_ai_operation_name", "gen_ai_provider_name", MODEL] as const;
const PER_BACKEND = [MODEL, "backend"] as const;
type GenAi = typeof GEN_AI;
type PerBackend = typeof PER_BACKEND;
type PerModel = readonly [typeof MODEL];

export interface InferenceFamilies {
  tokenUsage: Family<readonly [...GenAi, "gen_ai_token_type"], HistogramSeries>;
  duration: Family<readonly [...GenAi, "error_type"], HistogramSeries>;
  timeToFirstToken: Family<GenAi, HistogramSeries>;
  timePerOutputToken: Family<GenAi, HistogramSeries>;
  usageEstimated: Family<readonly ["gen_ai_operation_name", typeof MODEL], CounterSeries>;
  inFlight: Family<PerModel, GaugeSeries>;
  queueDepth: Family<PerModel, GaugeSeries>;
  queueWait: Family<PerModel, HistogramSeries>;
  queueRejected: Family<readonly [typeof MODEL, "reason"], CounterSeries>;
  backendInFlight: Family<PerBackend, GaugeSeries>;
  backendReady: Family<PerBackend, GaugeSeries>;
  circuitState: Family<PerBackend, GaugeSeries>;
  backendAttempts: Family<readonly [...PerBackend, "outcome"], CounterSeries>;
  backendLatency: Family<PerBackend, HistogramSeries>;
  budgetRefused: Family<readonly ["group"], CounterSeries>;
  budgetBuckets: Family<readonly [], GaugeSeries>;
}

/** Registers every inference family; `collect` runs once per scrape, before the sampled gauges render. */
export function registerInferenceFamilies(registry: Registry, collect: () => void): InferenceFamilies {
  return {
    tokenUsage: registry.histogram({
      name: "gen_ai_client_token_usage",
      help: "Input and output tokens per call (as the backend reported them, or estimated), by operation, model and token type",
      labelNames: [...GEN_AI, "gen_ai_token_type"],
      buckets: TOKEN_USAGE_BUCKETS,
    }),
    duration: registry.histogram({
      name: "gen_ai_server_request_duration_seconds",
      help: "Time from receiving a GenAI request to its last byte (queueing included), by operation, model and error type",
      labelNames: [...GEN_AI, "error_type"],
      buckets: REQUEST_DURATION_BUCKETS,
    }),
    timeToFirstToken: registry.histogram({
      name: "gen_ai_server_time_to_first_token_seconds",
      help: "Time from receiving a streamed request to forwarding its first token, by operation and model",
      labelNames: GEN_AI,
      buckets: TIME_TO_FIRST_TOKEN_BUCKETS,
    }),
    timePerOutputToken: registry.histogram({
      name: "gen_ai_server_time_per_output_token_seconds",
      help: "Time per output token after the first of successful streams (1 / output tokens per second), by operation and model",
      labelNames: GEN_AI,
      buckets: TIME_PER_OUTPUT_TOKEN_BUCKETS,
    }),
    usageEstimated: registry.counter({
      name: "inference_usage_estimated_total",
      help: "Calls whose backend reported no usage, so the service counted the tokens itself, by operation and model",
      labelNames: ["gen_ai_operation_name", MODEL],
    }),
    // The first sampled family runs the sampling for all of them; the others render what it set.
    inFlight: registry.gauge({ name: "inference_requests_in_flight", help: "Calls holding a concurrency slot, by model", labelNames: [MODEL], collect }),
    queueDepth: registry.gauge({ name: "inference_queue_depth", help: "Calls waiting for a concurrency slot, by model", labelNames: [MODEL] }),
    queueWait: registry.histogram({
      name: "inference_queue_wait_seconds",
      help: "Time admitted calls waited for a concurrency slot, by model",
      labelNames: [MODEL],
      buckets: QUEUE_WAIT_BUCKETS,
    }),
    queueRejected: registry.counter({
      name: "inference_queue_rejected_total",
      help: "Calls refused by a model's concurrency limit, by model and reason (queue_full → 429, queue_timeout → 503)",
      labelNames: [MODEL, "reason"],
    }),
    backendInFlight: registry.gauge({
      name: "inference_backend_requests_in_flight",
      help: "Calls sent to a backend whose answer is not finished, by model and backend",
      labelNames: PER_BACKEND,
    }),
    backendReady: registry.gauge({ name: "inference_backend_ready", help: "1 when the backend passed its last readiness check", labelNames: PER_BACKEND }),
    circuitState: registry.gauge({
      name: "inference_backend_circuit_state",
      help: "Circuit breaker state per backend: 0 closed, 1 half-open, 2 open",
      labelNames: PER_BACKEND,
    }),
    backendAttempts: registry.counter({
      name: "inference_backend_attempts_total",
      help: "Calls to backends by outcome (ok or the problem code), by model and backend",
      labelNames: [...PER_BACKEND, "outcome"],
    }),
    backendLatency: registry.histogram({
      name: "inference_backend_request_duration_seconds",
      help: "Time from sending a call to a backend to its response headers, per attempt, by model and backend",
      labelNames: PER_BACKEND,
      buckets: BACKEND_LATENCY_BUCKETS,
    }),
    budgetRefused: registry.counter({
      name: "inference_token_budget_refused_total",
      help: "Calls refused before reaching a backend because the caller's token budget could not cover them, by budget group",
      labelNames: ["group"],
    }),
    budgetBuckets: registry.gauge({ name: "inference_token_budget_buckets", help: "Callers' token buckets held in memory" }),
  };
}
