// One backend of a model's pool at run time: its client (breaker, connect probe), calls in flight, readiness and cool-down.
import { type CircuitBreaker, createCircuitBreaker } from "../../../lib/http/client/circuit-breaker.ts";
import { createUpstreamClient, type FetchLike, type UpstreamClient } from "../../../lib/http/client/upstream-client.ts";
import type { Tracing } from "../../../lib/telemetry/tracer.ts";
import type { BackendSpec, ModelSpec } from "../registry/model-spec.ts";

export interface Backend {
  readonly model: string;
  readonly spec: BackendSpec;
  readonly breaker: CircuitBreaker;
  readonly client: UpstreamClient;
  /** Calls sent and not finished (body included): the balancer's measure. */
  outstanding: number;
  /** Last readiness verdict; true until a check says otherwise (and always when checks are off). */
  ready: boolean;
  /** It answered 429/503 with Retry-After: not picked again before this time (ms since epoch). */
  coolUntil: number;
}

export interface BackendOptions {
  breakerFailureThreshold: number;
  breakerOpenMs: number;
  fetch?: FetchLike;
  /** Client spans per backend call when on (children of the model call's span). */
  tracing?: Tracing;
  now?: () => number;
  onBreakerChange?: (backend: { model: string; backend: string }, to: string) => void;
}

export function createBackend(model: ModelSpec, spec: BackendSpec, opts: BackendOptions): Backend {
  const now = opts.now ?? Date.now;
  const breaker = createCircuitBreaker({
    name: `${model.name}/${spec.name}`,
    failureThreshold: opts.breakerFailureThreshold,
    openMs: opts.breakerOpenMs,
    now,
    onStateChange: ({ to }) => opts.onBreakerChange?.({ model: model.name, backend: spec.name }, to),
  });
  const client = createUpstreamClient({
    name: spec.name,
    baseUrl: spec.origin,
    responseTimeoutMs: model.limits.firstByteTimeoutMs,
    connectTimeoutMs: model.limits.connectTimeoutMs,
    // Failover across backends is the dispatcher's: it knows what is safe to send again.
    maxRetries: 0,
    breaker,
    fetch: opts.fetch,
    tracing: opts.tracing,
    now,
  });
  return { model: model.name, spec, breaker, client, outstanding: 0, ready: true, coolUntil: 0 };
}
