// Sends one request to a model's pool: picks backends, fails over only while nothing can have been generated, honours Retry-After.
import { AppError } from "../../../lib/http/app-error.ts";
import { UpstreamError } from "../../../lib/http/client/upstream-client.ts";
import { type Backend, clientFor } from "../backends/backend.ts";
import { pickBackend } from "../backends/balancer.ts";
import type { ModelPool } from "../backends/pool.ts";
import type { ModelSpec } from "../registry/model-spec.ts";
import { type Call, sleepWithin } from "./call.ts";
import { retryAfterMs } from "./retry-after.ts";

export interface BackendRequest {
  method: "GET" | "POST";
  /** Path at the backend (the backend's own model name goes into it). */
  path: (b: Backend) => string;
  /** The body for this backend, sent again as is on failover (so it is text, never a one-shot stream). */
  body?: (b: Backend) => string;
  accept: string;
  /** A streamed answer (SSE) is asked for: the backend's fetch client carries it (`clientFor` in backend.ts). */
  stream?: boolean;
  requestId: string;
  traceparent: string;
}

export interface Dispatched {
  res: Response;
  backend: Backend;
  /** Call once the response body is finished or abandoned: the backend's in-flight count drops. */
  release(): void;
}

export interface DispatchHooks {
  /** Each attempt's outcome (metrics): "ok", or the failure's code. */
  onAttempt?(backend: Backend, outcome: string, seconds: number): void;
}

/** Refusals that prove the backend did not take the call on: safe to send elsewhere (or again, after Retry-After). */
const REFUSED = new Set([429, 503]);

/** Connection refused: nothing was sent, so another backend may take it. (Bun: code; Deno: message.) */
function connectionRefused(err: UpstreamError): boolean {
  const cause = err.cause as { code?: string; message?: string } | undefined;
  return cause?.code === "ConnectionRefused" || cause?.code === "ECONNREFUSED" || /connection refused/i.test(cause?.message ?? "");
}

export async function dispatch(pool: ModelPool, req: BackendRequest, call: Call, hooks: DispatchHooks = {}, now: () => number = Date.now): Promise<Dispatched> {
  const retries = pool.spec.limits.retries;
  const idempotent = req.method === "GET";
  const tried = new Set<Backend>();
  let attempts = 0;
  let last: AppError | undefined;
  for (;;) {
    if (call.signal.aborted) throw call.failure();
    const picked = pickBackend(pool.backends, tried, now(), pool.turn++);
    if (!("spec" in picked)) {
      // Only cooling backends left: wait for the first one when the budget allows (a one-backend pool after a 503).
      if (picked.reason === "cooling" && attempts <= retries && now() + picked.retryAfterMs < call.deadline) {
        await sleepWithin(call, picked.retryAfterMs);
        continue;
      }
      if (last) throw last;
      throw unavailable(pool.spec.name, picked.reason, picked.retryAfterMs);
    }
    const b = picked;
    attempts++;
    b.outstanding++;
    const sentAt = performance.now();
    const headers: Record<string, string> = { accept: req.accept, "x-request-id": req.requestId, traceparent: req.traceparent };
    const body = req.body?.(b) ?? null;
    if (body !== null) headers["content-type"] = "application/json";
    if (b.spec.apiKey !== undefined) headers.authorization = `Bearer ${b.spec.apiKey}`;
    let res: Response;
    try {
      // The call's end reaches the body too: a whole answer is read with bytes() (read-whole.ts), which has no reader to cancel.
      res = await clientFor(b, req.stream === true).send({
        method: req.method,
        target: req.path(b),
        headers: headers as HeadersInit as Headers,
        body,
        signal: call.signal,
        signalCoversBody: true,
      });
    } catch (err) {
      b.outstanding--;
      if (!(err instanceof UpstreamError)) throw err;
      const failure = attemptFailure(err, call, pool.spec);
      hooks.onAttempt?.(b, failure.code, (performance.now() - sentAt) / 1000);
      const resend =
        err.kind === "circuit_open" || (err.kind === "timeout" && err.connect) || (err.kind === "network" && (idempotent || connectionRefused(err)));
      if (!resend) throw failure;
      tried.add(b);
      last = failure;
      if (err.kind === "circuit_open") attempts--;
      if (attempts > retries) throw failure;
      continue;
    }
    hooks.onAttempt?.(b, res.status < 500 ? "ok" : "backend_error", (performance.now() - sentAt) / 1000);
    if (REFUSED.has(res.status) || (res.status >= 300 && res.status < 400)) {
      await res.body?.cancel().catch(() => {});
      b.outstanding--;
      if (res.status >= 300 && res.status < 400) {
        tried.add(b);
        last = new AppError("backend_error", { detail: `${pool.spec.name}: a model server answered with a redirect, which is not followed.` });
      } else {
        const wait = retryAfterMs(res.headers.get("retry-after"), now());
        b.coolUntil = now() + wait;
        last = unavailable(pool.spec.name, "cooling", wait);
      }
      if (attempts > retries) throw last;
      continue;
    }
    return { res, backend: b, release: releaseOnce(b) };
  }
}

/**
 * The backend's in-flight count drops once, whatever calls it first. Made outside `dispatch`: a closure made in an
 * async function keeps all its variables reachable (the request's body among them), and a stream keeps this one to its end.
 */
function releaseOnce(b: Backend): () => void {
  let released = false;
  return () => {
    if (released) return;
    released = true;
    b.outstanding--;
  };
}

function attemptFailure(err: UpstreamError, call: Call, spec: ModelSpec): AppError {
  const { name: model, limits } = spec;
  switch (err.kind) {
    case "aborted":
      return call.failure();
    case "circuit_open":
      return unavailable(model, "all_open", err.retryAfterMs);
    case "timeout":
      return err.connect
        ? new AppError("backend_connect_timeout", { detail: `${model}: a model server did not accept a connection within ${limits.connectTimeoutMs} ms.` })
        : new AppError("backend_first_byte_timeout", { detail: `${model}: a model server did not start answering within ${limits.firstByteTimeoutMs} ms.` });
    default:
      return new AppError("backend_error", { detail: `${model}: a model server could not be reached.` });
  }
}

const WHY = {
  none_ready: "none of its model servers is ready",
  all_open: "its model servers are failing; calls are paused",
  all_busy: "its model servers are all at their concurrency limit",
  cooling: "its model servers asked to be called again later",
} as const;

export function unavailable(model: string, reason: keyof typeof WHY, retryAfterMs: number): AppError {
  return new AppError("model_unavailable", {
    detail: `${model}: ${WHY[reason]}.`,
    headers: { "retry-after": String(Math.max(1, Math.ceil(retryAfterMs / 1000))) },
  });
}
