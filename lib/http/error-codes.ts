// The platform's one closed set of error codes and the HTTP status each maps to.

export const ERROR_CODES = {
  bad_request: { status: 400, title: "Bad request" },
  invalid_json: { status: 400, title: "Request body is not valid JSON" },
  invalid_parameter: { status: 400, title: "A path, query or header parameter is invalid" },
  idempotency_key_missing: { status: 400, title: "Idempotency-Key header is required" },
  idempotency_key_invalid: { status: 400, title: "Idempotency-Key header is malformed" },
  unauthorized: { status: 401, title: "Authentication required" },
  insufficient_scope: { status: 403, title: "Token lacks a required scope" },
  not_found: { status: 404, title: "Resource not found" },
  method_not_allowed: { status: 405, title: "Method not allowed" },
  idempotency_key_in_flight: { status: 409, title: "A request with this Idempotency-Key is in progress" },
  invalid_state_transition: { status: 409, title: "The resource's state does not allow this action" },
  payload_too_large: { status: 413, title: "Request body too large" },
  unsupported_media_type: { status: 415, title: "Unsupported media type" },
  validation_failed: { status: 422, title: "Request body failed validation" },
  idempotency_key_reused: { status: 422, title: "Idempotency-Key was used with a different request" },
  amount_overflow: { status: 422, title: "Amount exceeds the supported range" },
  request_header_too_large: { status: 431, title: "Request header fields too large" },
  rate_limited: { status: 429, title: "Too many requests" },
  internal_error: { status: 500, title: "Internal server error" },
  bad_gateway: { status: 502, title: "Upstream answered badly" },
  service_unavailable: { status: 503, title: "Service unavailable" },
  upstream_timeout: { status: 504, title: "Upstream timed out" },
  database_unavailable: { status: 503, title: "The database is temporarily unavailable" },
  database_timeout: { status: 504, title: "The database did not answer in time" },
  dead_letter_not_replayable: { status: 422, title: "The dead letter cannot be replayed" },
  model_not_found: { status: 404, title: "No such model" },
  inference_rejected: { status: 422, title: "The model server refused the request" },
  client_closed_request: { status: 499, title: "The client closed the request" },
  backend_error: { status: 502, title: "The model server failed or answered badly" },
  backend_response_too_large: { status: 502, title: "The model server's response exceeds the limit" },
  model_unavailable: { status: 503, title: "No model server can take the request now" },
  backend_connect_timeout: { status: 504, title: "The model server did not accept a connection in time" },
  backend_first_byte_timeout: { status: 504, title: "The model server did not start answering in time" },
  backend_idle_timeout: { status: 504, title: "The model server went silent mid-answer" },
  backend_total_timeout: { status: 504, title: "The model call exceeded its total time limit" },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export function statusOf(code: ErrorCode): number {
  return ERROR_CODES[code].status;
}
