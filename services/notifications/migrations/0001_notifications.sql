-- Events the worker has processed (the idempotency record) and the notifications it sent.

-- One row per (consumer, event): written in the same transaction as the effect, so a redelivered
-- or replayed event finds it and is acknowledged without doing anything twice.
CREATE TABLE processed_events (
  consumer      text NOT NULL,
  event_id      uuid NOT NULL,
  processed_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer, event_id)
);

CREATE TABLE notifications (
  id                 uuid PRIMARY KEY,          -- UUIDv7 minted by the worker: time-ordered, so it is also the list order
  event_id           uuid NOT NULL UNIQUE,      -- the order event this notification is about (one notification per event)
  customer_id        text NOT NULL,
  order_id           uuid NOT NULL,
  type               text NOT NULL,             -- the event type: order.placed, order.cancelled
  title              text NOT NULL,
  message            text NOT NULL,
  channel            text NOT NULL,             -- where it was delivered: log, webhook
  event_time         timestamptz NOT NULL,      -- when the event happened (the envelope's time)
  delivery_attempts  int NOT NULL,              -- the broker's delivery count of the attempt that succeeded
  trace_id           text,                      -- trace of the request that caused the event
  created_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notifications_customer_idx ON notifications (customer_id, id DESC);
