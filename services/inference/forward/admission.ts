// Admission per model through its concurrency limiter: a slot, a bounded wait, or 429 / 503 with Retry-After.
import { AppError } from "../../../lib/http/app-error.ts";
import type { LimiterRefusal, LimiterResult } from "../../../lib/http/concurrency-limiter.ts";
import type { Pools } from "../backends/pool.ts";
import type { InferenceHooks } from "../hooks.ts";
import type { InferenceMetrics } from "../metrics/inference-metrics.ts";
import type { ModelSpec } from "../registry/model-spec.ts";
import { endFailure } from "./call.ts";

/** The `admit` hook: each model waits only in its own queue, so one saturated model never slows another. */
export function createAdmission(pools: Pools, metrics: InferenceMetrics): NonNullable<InferenceHooks["admit"]> {
  const limiters = new Map([...pools.values()].map((p) => [p.spec.name, { limiter: p.limiter, queueWait: metrics.model(p.spec.name).queueWait }]));
  return (model, signal) => {
    const m = limiters.get(model.name);
    if (m === undefined) throw new Error(`model ${model.name} has no limiter`);
    const admitted = (r: LimiterResult) => {
      if (!r.ok) throw refusal(model, r, signal);
      m.queueWait.observe(r.waitedMs / 1000);
      return r.release;
    };
    const acquired = m.limiter.acquire(signal);
    // Admitted at once is a plain value: no promise, so the common case costs no extra turn of the event loop.
    return acquired instanceof Promise ? acquired.then(admitted) : admitted(acquired);
  };
}

function refusal(model: ModelSpec, r: LimiterRefusal, signal: AbortSignal): AppError {
  const { maxConcurrency, queueSize, queueTimeoutMs } = model.limits;
  const headers = { "retry-after": String(r.retryAfterSeconds) };
  switch (r.reason) {
    case "queue_full":
      return new AppError("rate_limited", {
        detail: `${model.name}: ${maxConcurrency} calls are in flight and ${queueSize} waiting, the most this model takes; try again later.`,
        headers,
      });
    case "queue_timeout":
      return new AppError("model_unavailable", { detail: `${model.name}: no concurrency slot came free within ${queueTimeoutMs} ms.`, headers });
    case "aborted":
      // The call's signal: the client went away, or the total limit passed while it waited.
      return endFailure(signal.reason === "total" ? "total" : "client", model.limits.totalTimeoutMs);
  }
}
