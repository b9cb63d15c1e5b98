// Inference metric families: per backend (in flight, readiness, circuit, attempts) and per model in GenAI semantic-convention names.
import { circuitStateValue } from "../../lib/http/client/circuit-breaker.ts";
import type { Registry } from "../../lib/metrics/registry.ts";
import type { Backend } from "./backends/backend.ts";
import type { Pools } from "./backends/pool.ts";

/** Buckets the OpenTelemetry GenAI conventions advise for gen_ai.server.request.duration (seconds). */
const REQUEST_BUCKETS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
/** … and for gen_ai.server.time_to_first_token. */
const TTFT_BUCKETS = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

export type Operation = "chat" | "embeddings" | "infer" | "metadata";

export interface InferenceMetrics {
  /** One backend attempt: its outcome ("ok" or a problem code) and time to response headers. */
  attempt(b: Backend, outcome: string, seconds: number): void;
  /** A finished model call: the time from receiving it to its last byte, `error` its problem code or undefined. */
  request(op: Operation, model: string, seconds: number, error: string | undefined): void;
  /** Time from receiving a streamed call to its first chunk reaching the client. */
  firstToken(op: Operation, model: string, seconds: number): void;
}

export function createInferenceMetrics(registry: Registry, pools: Pools): InferenceMetrics {
  const backends = [...pools.values()].flatMap((p) => [...p.backends]);
  const perBackend = (name: string, help: string, value: (b: Backend) => number) => {
    const family = registry.gauge({
      name,
      help,
      labelNames: ["model", "backend"],
      collect: () => {
        for (const b of backends) family.labels(b.model, b.spec.name).set(value(b));
      },
    });
  };
  perBackend("inference_backend_requests_in_flight", "Calls sent to a backend whose answer is not finished", (b) => b.outstanding);
  perBackend("inference_backend_ready", "1 when the backend passed its last readiness check", (b) => (b.ready ? 1 : 0));
  perBackend("inference_circuit_state", "A backend's circuit: 0 closed, 1 half-open, 2 open", (b) => circuitStateValue(b.breaker.state()));

  const attempts = registry.counter({
    name: "inference_backend_attempts_total",
    help: "Calls to backends by outcome (ok or the problem code)",
    labelNames: ["model", "backend", "outcome"],
  });
  const attemptDuration = registry.histogram({
    name: "inference_backend_response_seconds",
    help: "Time from sending a call to a backend to its response headers",
    labelNames: ["model", "backend"],
    buckets: REQUEST_BUCKETS,
  });
  const duration = registry.histogram({
    name: "gen_ai_server_request_duration_seconds",
    help: "Time to answer a model call (to its last byte), by operation, model and error type",
    labelNames: ["gen_ai_operation_name", "gen_ai_request_model", "error_type"],
    buckets: REQUEST_BUCKETS,
  });
  const ttft = registry.histogram({
    name: "gen_ai_server_time_to_first_token_seconds",
    help: "Time from receiving a streamed call to its first chunk",
    labelNames: ["gen_ai_operation_name", "gen_ai_request_model"],
    buckets: TTFT_BUCKETS,
  });

  return {
    attempt(b, outcome, seconds) {
      attempts.labels(b.model, b.spec.name, outcome).inc();
      if (outcome === "ok" || outcome === "backend_error") attemptDuration.labels(b.model, b.spec.name).observe(seconds);
    },
    request(op, model, seconds, error) {
      duration.labels(op, model, error ?? "").observe(seconds);
    },
    firstToken(op, model, seconds) {
      ttft.labels(op, model).observe(seconds);
    },
  };
}
