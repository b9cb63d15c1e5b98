// What every inference route's contract shares: the internal-token security requirement and the backend failures it may answer.

export const security = [{ internalToken: [] }];

export const AUTH_ERRORS = ["unauthorized", "insufficient_scope"] as const;

/** Problems of a call that reached for a model server (time limits, failures, nobody available). */
export const BACKEND_ERRORS = [
  "backend_error",
  "backend_response_too_large",
  "model_unavailable",
  "backend_connect_timeout",
  "backend_first_byte_timeout",
  "backend_idle_timeout",
  "backend_total_timeout",
] as const;
