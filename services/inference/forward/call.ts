// One client request's life across backend attempts: its total deadline and the client's going away, as one abort signal.
import { AppError } from "../../../lib/http/app-error.ts";

export type EndReason = "client" | "total";

export interface Call {
  /** Aborted when the client goes away or the total time limit passes; every attempt and body read listens to it. */
  readonly signal: AbortSignal;
  /** Milliseconds since epoch when the total limit passes. */
  readonly deadline: number;
  readonly totalMs: number;
  reason(): EndReason | undefined;
  /** The failure to answer with once the signal fired. */
  failure(): AppError;
  /** Stops the deadline timer (the response is complete). */
  end(): void;
}

export function startCall(client: AbortSignal, totalMs: number, now: () => number = Date.now): Call {
  const ac = new AbortController();
  let reason: EndReason | undefined;
  const abort = (why: EndReason) => {
    if (reason !== undefined) return;
    reason = why;
    ac.abort(why);
  };
  const onClientGone = () => abort("client");
  if (client.aborted) abort("client");
  else client.addEventListener("abort", onClientGone, { once: true });
  const timer = setTimeout(abort, totalMs, "total");
  return {
    signal: ac.signal,
    deadline: now() + totalMs,
    totalMs,
    reason: () => reason,
    failure: () => endFailure(reason, totalMs),
    end() {
      clearTimeout(timer);
      client.removeEventListener("abort", onClientGone);
    },
  };
}

export function endFailure(reason: EndReason | undefined, totalMs: number): AppError {
  if (reason === "client") return new AppError("client_closed_request", { detail: "The client went away; the model call was cancelled." });
  return new AppError("backend_total_timeout", { detail: `The model call exceeded its total limit of ${totalMs} ms.` });
}

/** Sleeps unless the call ends first (then rejects with its failure). */
export function sleepWithin(call: Call, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(call.failure());
    };
    const timer = setTimeout(() => {
      call.signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    if (call.signal.aborted) onAbort();
    else call.signal.addEventListener("abort", onAbort, { once: true });
  });
}
