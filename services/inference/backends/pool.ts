// The model pools: every registry model with its backends, built once from the registry and shared by the handlers.
import { type ConcurrencyLimiter, createConcurrencyLimiter } from "../../../lib/http/concurrency-limiter.ts";
import type { ModelSpec, Registry } from "../registry/model-spec.ts";
import { type Backend, type BackendOptions, createBackend } from "./backend.ts";

export interface ModelPool {
  readonly spec: ModelSpec;
  readonly backends: readonly Backend[];
  /** The model's concurrency limit and bounded queue (per replica): its own, so a saturated model never slows another. */
  readonly limiter: ConcurrencyLimiter;
  /** Round-robin start for ties, advanced per pick. */
  turn: number;
}

export type Pools = ReadonlyMap<string, ModelPool>;

export function createPools(registry: Registry, opts: BackendOptions): Pools {
  const pools = new Map<string, ModelPool>();
  for (const spec of registry.values()) {
    const { maxConcurrency, queueSize, queueTimeoutMs } = spec.limits;
    const limiter = createConcurrencyLimiter({ maxConcurrent: maxConcurrency, maxQueue: queueSize, queueTimeoutMs });
    pools.set(spec.name, { spec, backends: spec.backends.map((b) => createBackend(spec, b, opts)), limiter, turn: 0 });
  }
  return pools;
}

/** A model is ready when one of its backends passed its last readiness check and its circuit is not open. */
export function poolReady(pool: ModelPool): boolean {
  return pool.backends.some((b) => b.ready && b.breaker.state() !== "open");
}
