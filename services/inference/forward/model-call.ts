// One model call from the handler's side: total deadline and client abort, admission (limiter seam), metrics, and its end.
import type { Context } from "hono";
import { AppError } from "../../../lib/http/app-error.ts";
import { formatTraceparent } from "../../../lib/telemetry/trace-context.ts";
import type { ModelPool } from "../backends/pool.ts";
import type { InferenceHooks } from "../hooks.ts";
import type { InferenceEnv } from "../http/inference-env.ts";
import type { InferenceMetrics, Operation } from "../metrics.ts";
import { type Call, startCall } from "./call.ts";
import type { BackendRequest } from "./dispatch.ts";

export interface CallDeps {
  hooks: InferenceHooks;
  metrics: InferenceMetrics;
}

export interface CallScope {
  call: Call;
  /** The fields every attempt carries: one request id and trace parent across attempts. */
  ids: Pick<BackendRequest, "requestId" | "traceparent">;
  started: number;
  /** A stream that outlives the handler takes over the ending: call the function it returns when the stream is over. */
  deferEnd(): (error?: string) => void;
}

export async function modelCall(
  deps: CallDeps,
  c: Context<InferenceEnv>,
  pool: ModelPool,
  op: Operation,
  work: (scope: CallScope) => Promise<Response>,
): Promise<Response> {
  const started = performance.now();
  const call = startCall(c.req.raw.signal, pool.spec.limits.totalTimeoutMs);
  let release: (() => void) | undefined;
  let deferred = false;
  let ended = false;
  const finish = (error?: string) => {
    if (ended) return;
    ended = true;
    call.end();
    release?.();
    deps.metrics.request(op, pool.spec.name, (performance.now() - started) / 1000, error);
  };
  try {
    release = await deps.hooks.admit?.(pool.spec, call.signal);
    const trace = c.get("trace");
    const res = await work({
      call,
      ids: { requestId: c.get("requestId"), traceparent: formatTraceparent(trace) },
      started,
      deferEnd: () => {
        deferred = true;
        return finish;
      },
    });
    if (!deferred) finish();
    return res;
  } catch (err) {
    finish(err instanceof AppError ? err.code : "internal_error");
    throw err;
  }
}
