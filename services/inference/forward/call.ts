// One client request's life across backend attempts: its total deadline and the client's going away, as one abort signal.
import { AppError } from "../../../lib/http/app-error.ts";

/** Why a call ended early: the client went away, the total limit passed, or a limit on reading its answer's body. */
export type EndReason = "client" | "total" | "body";

export interface Call {
  /** Aborted when the client goes away or the total time limit passes; every attempt and body read listens to it. */
  readonly signal: AbortSignal;
  /** Milliseconds since epoch when the total limit passes. */
  readonly deadline: number;
  readonly totalMs: number;
  reason(): EndReason | undefined;
  /** The failure to answer with once the signal fired. */
  failure(): AppError;
  /**
   * Ends the call with `failure` (a limit passed while its answer's body is read): the signal aborts, and with it a
   * body read the fetch is still linked to (dispatch's `signalCoversBody`). Nothing once the signal has fired.
   */
  stop(failure: AppError): void;
  /** Stops the deadline timer (the response is complete). */
  end(): void;
}

export function startCall(client: AbortSignal, totalMs: number, now: () => number = Date.now): Call {
  const ac = new AbortController();
  let reason: EndReason | undefined;
  let stopped: AppError | undefined;
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
    failure: () => stopped ?? endFailure(reason, totalMs),
    stop(failure) {
      if (reason !== undefined) return;
      stopped = failure;
      abort("body");
    },
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
