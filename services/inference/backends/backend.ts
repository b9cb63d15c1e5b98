// One backend of a model's pool at run time: its client (breaker, connect probe), calls in flight, readiness and cool-down.
import { type CircuitBreaker, createCircuitBreaker } from "../../../lib/http/client/circuit-breaker.ts";
import { createConnectProbe } from "../../../lib/http/client/connect-probe.ts";
import { createUndiciFetch } from "../../../lib/http/client/undici-fetch.ts";
import { createUpstreamClient, type FetchLike, probeWindowMs, type UpstreamClient } from "../../../lib/http/client/upstream-client.ts";
import type { Tracing } from "../../../lib/telemetry/tracer.ts";
import type { BackendSpec, ModelSpec } from "../registry/model-spec.ts";

export interface Backend {
  readonly model: string;
  readonly spec: BackendSpec;
  readonly breaker: CircuitBreaker;
  /** For whole answers: on Bun over undici's pool (undici-fetch.ts says why), elsewhere the runtime's fetch. */
  readonly client: UpstreamClient;
  /** For streamed answers: the runtime's fetch, whose body stream is native. Same breaker and connect probe as `client`. */
  readonly streamClient: UpstreamClient;
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
  /** Both clients' fetch when set (tests); by default see `client` and `streamClient`. */
  fetch?: FetchLike;
  /** Client spans per backend call when on (children of the model call's span). */
  tracing?: Tracing;
  now?: () => number;
  onBreakerChange?: (backend: { model: string; backend: string }, to: string) => void;
}

/** undici's gain was measured against Bun's fetch (undici-fetch.ts); on Deno the runtime's own fetch stays. */
const ON_BUN = "Bun" in globalThis;

export function createBackend(model: ModelSpec, spec: BackendSpec, opts: BackendOptions): Backend {
  const now = opts.now ?? Date.now;
  const breaker = createCircuitBreaker({
    name: `${model.name}/${spec.name}`,
    failureThreshold: opts.breakerFailureThreshold,
    openMs: opts.breakerOpenMs,
    now,
    onStateChange: ({ to }) => opts.onBreakerChange?.({ model: model.name, backend: spec.name }, to),
  });
  const { connectTimeoutMs, firstByteTimeoutMs } = model.limits;
  const common = {
    name: spec.name,
    baseUrl: spec.origin,
    responseTimeoutMs: firstByteTimeoutMs,
    connectTimeoutMs,
    // One connect check for both clients: they call the same host.
    probe: createConnectProbe({ baseUrl: spec.origin, timeoutMs: probeWindowMs(connectTimeoutMs), now }),
    // Failover across backends is the dispatcher's: it knows what is safe to send again.
    maxRetries: 0,
    breaker,
    tracing: opts.tracing,
    now,
  };
  // undici's own connect timeout is only a backstop: the connect limit is the upstream client's (its probe), which fires
  // first, so the backstop is set to the one bound the call cannot outlive before its headers.
  const wholeFetch = opts.fetch ?? (ON_BUN ? createUndiciFetch({ origin: spec.origin, connectTimeoutMs: firstByteTimeoutMs }) : undefined);
  const client = createUpstreamClient({ ...common, fetch: wholeFetch });
  const streamClient = createUpstreamClient({ ...common, fetch: opts.fetch });
  return { model: model.name, spec, breaker, client, streamClient, outstanding: 0, ready: true, coolUntil: 0 };
}
