// The metric families the alert rules and the dashboard are written against, per service. deploy/observability.test.ts
// checks that rules and dashboard use only these; each service's metrics test checks that its /metrics has them all.

const COMMON = [
  "http_requests_total",
  "http_request_duration_seconds",
  "http_requests_in_flight",
  "process_resident_memory_bytes",
  "process_event_loop_lag_seconds",
  "process_open_fds",
];
const DATABASE = ["db_pool_max_connections", "db_pool_busy_connections", "db_pool_pending_requests", "http_database_unavailable_total"];
/** Whether a component's broker streams (and consumer) are set up: services start and serve without the broker. */
const MESSAGING = ["messaging_ready"];

export const METRIC_FAMILIES = {
  gateway: [
    ...COMMON,
    "gateway_auth_failures_total",
    "gateway_rate_limited_total",
    "gateway_upstream_request_duration_seconds",
    "gateway_upstream_failures_total",
    "gateway_circuit_state",
    "gateway_circuit_opens_total",
    "gateway_refused_total",
  ],
  orders: [
    ...COMMON,
    ...DATABASE,
    ...MESSAGING,
    "orders_outbox_unpublished",
    "orders_outbox_oldest_unpublished_age_seconds",
    "orders_outbox_dead",
    "orders_outbox_published_total",
    "orders_outbox_publish_failures_total",
    "orders_outbox_republished_total",
    "orders_outbox_restored_total",
    "orders_idempotency_replays_total",
    "orders_idempotency_conflicts_total",
  ],
  notifications: [
    ...COMMON,
    ...DATABASE,
    ...MESSAGING,
    "notifications_events_processed_total",
    "notifications_redeliveries_total",
    "notifications_dead_letters_total",
    "notifications_dead_letters",
    "notifications_consumer_pending",
    "notifications_consumer_ack_pending",
    "notifications_handler_duration_seconds",
  ],
  inference: [
    ...COMMON,
    "gen_ai_client_token_usage",
    "gen_ai_server_request_duration_seconds",
    "gen_ai_server_time_to_first_token_seconds",
    "gen_ai_server_time_per_output_token_seconds",
    "inference_usage_estimated_total",
    "inference_requests_in_flight",
    "inference_queue_depth",
    "inference_queue_wait_seconds",
    "inference_queue_rejected_total",
    "inference_backend_requests_in_flight",
    "inference_backend_ready",
    "inference_backend_circuit_state",
    "inference_backend_attempts_total",
    "inference_backend_request_duration_seconds",
    "inference_token_budget_refused_total",
    "inference_token_budget_buckets",
  ],
} as const;

/** Families exposed as histograms: queries see them as _bucket, _sum and _count series. */
export const HISTOGRAM_FAMILIES = new Set([
  "http_request_duration_seconds",
  "process_event_loop_lag_seconds",
  "gateway_upstream_request_duration_seconds",
  "notifications_handler_duration_seconds",
  "gen_ai_client_token_usage",
  "gen_ai_server_request_duration_seconds",
  "gen_ai_server_time_to_first_token_seconds",
  "gen_ai_server_time_per_output_token_seconds",
  "inference_queue_wait_seconds",
  "inference_backend_request_duration_seconds",
]);
