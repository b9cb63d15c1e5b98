// What every inference route's contract shares: the internal-token security requirement and the backend failures it may answer.

export const security = [{ internalToken: ["inference:invoke"] }];

export const AUTH_ERRORS = ["unauthorized", "insufficient_scope"] as const;

/** Problems of a call that reached for a model server (its queue full or the caller's token budget spent, time limits, failures, nobody available). */
export const BACKEND_ERRORS = [
  "rate_limited",
  "backend_error",
  "backend_response_too_large",
  "model_unavailable",
  "backend_connect_timeout",
  "backend_first_byte_timeout",
  "backend_idle_timeout",
  "backend_total_timeout",
  // The service shut down before the call ended (forward/open-calls.ts).
  "service_unavailable",
] as const;

/** Every problem a model call with a JSON body may answer: refusals of the request, then the backend's failures. */
export const CALL_ERRORS = [
  "invalid_parameter",
  ...AUTH_ERRORS,
  "invalid_json",
  "model_not_found",
  "payload_too_large",
  "unsupported_media_type",
  "validation_failed",
  "inference_rejected",
  ...BACKEND_ERRORS,
] as const;
