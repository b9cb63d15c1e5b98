// The model calls in progress, so a shutdown can end the ones that would outlive it with an answer that says so.
import { AppError } from "../../../lib/http/app-error.ts";
import { OpenRequests } from "../../../lib/serve/open-requests.ts";
import type { Call } from "./call.ts";

/** What a call stopped by the shutdown answers: 503 before its answer started, the stream's error event after. */
export const shuttingDown = (): AppError =>
  new AppError("service_unavailable", {
    detail: "The inference service is shutting down and ended this model call; another replica takes it again.",
    headers: { "retry-after": "1" },
  });

/**
 * `stopAll` ends every call still open: a call waiting for its answer fails with the 503, a stream ends with the error
 * event, and each backend request is cancelled (the call's signal); modelCall's finish deletes its slot.
 */
export class OpenCalls extends OpenRequests<Call> {
  constructor() {
    super((call) => call.stop(shuttingDown()));
  }
}
