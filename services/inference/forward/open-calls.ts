// The model calls in progress, so a shutdown can end the ones that would outlive it with an answer that says so.
import { AppError } from "../../../lib/http/app-error.ts";
import type { Call } from "./call.ts";

/** What a call stopped by the shutdown answers: 503 before its answer started, the stream's error event after. */
export const shuttingDown = (): AppError =>
  new AppError("service_unavailable", {
    detail: "The inference service is shutting down and ended this model call; another replica takes it again.",
    headers: { "retry-after": "1" },
  });

export class OpenCalls {
  readonly #calls = new Set<Call>();

  add(call: Call): void {
    this.#calls.add(call);
  }

  delete(call: Call): void {
    this.#calls.delete(call);
  }

  get size(): number {
    return this.#calls.size;
  }

  /**
   * Ends every call still open: a call waiting for its answer fails with the 503, a stream ends with the error event,
   * and each backend request is cancelled (the call's signal). Returns how many there were.
   */
  stopAll(): number {
    const n = this.#calls.size;
    for (const call of this.#calls) call.stop(shuttingDown());
    this.#calls.clear();
    return n;
  }
}
