-- Orders, their items, the transactional outbox and Idempotency-Key records.

CREATE TABLE orders (
  id            uuid PRIMARY KEY,              -- UUIDv7, minted by the service: time-ordered, so it is also the list order
  customer_id   text NOT NULL,
  status        text NOT NULL CHECK (status IN ('placed', 'cancelled')),
  currency      char(3) NOT NULL,
  total_cents   bigint NOT NULL CHECK (total_cents >= 0),
  created_at    timestamptz NOT NULL,
  updated_at    timestamptz NOT NULL,
  cancelled_at  timestamptz
);
CREATE INDEX orders_customer_idx ON orders (customer_id, id DESC);

CREATE TABLE order_items (
  order_id          uuid NOT NULL REFERENCES orders (id),
  line              int NOT NULL,
  sku               text NOT NULL,
  quantity          int NOT NULL CHECK (quantity BETWEEN 1 AND 1000),
  unit_price_cents  bigint NOT NULL CHECK (unit_price_cents >= 0),
  PRIMARY KEY (order_id, line)
);

-- Events waiting for the relay. Rows are claimed by status (published_at / dead_at / next_attempt_at),
-- never by a "last seen id": ids commit out of order and a cursor would skip late commits.
CREATE TABLE outbox (
  id               uuid PRIMARY KEY,           -- the event id, published as Nats-Msg-Id
  subject          text NOT NULL,
  payload          jsonb NOT NULL,             -- the CloudEvents envelope
  headers          jsonb NOT NULL DEFAULT '{}', -- traceparent / tracestate of the request that wrote it
  created_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
  published_at     timestamptz,
  attempts         int NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
  last_error       text,
  dead_at          timestamptz
);
CREATE INDEX outbox_pending_idx ON outbox (next_attempt_at, created_at) WHERE published_at IS NULL AND dead_at IS NULL;
CREATE INDEX outbox_published_idx ON outbox (published_at) WHERE published_at IS NOT NULL;

-- One row per (caller, key): the fingerprint of the first request and its stored response, byte for byte.
CREATE TABLE idempotency_keys (
  customer_id      text NOT NULL,
  key              text NOT NULL,
  request_hash     text NOT NULL,
  response_status  int NOT NULL,
  response_body    text NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  expires_at       timestamptz NOT NULL,
  PRIMARY KEY (customer_id, key)
);
CREATE INDEX idempotency_keys_expires_idx ON idempotency_keys (expires_at);

-- Claims a key for this transaction. A second request with the same key while the first is still running
-- finds the advisory lock taken and answers in_flight at once instead of queueing behind it.
CREATE FUNCTION claim_idempotency_key(p_customer text, p_key text, p_hash text)
RETURNS TABLE (outcome text, response_status int, response_body text)
LANGUAGE plpgsql AS $$
DECLARE
  found_row idempotency_keys%ROWTYPE;
BEGIN
  IF NOT pg_try_advisory_xact_lock(hashtextextended(p_customer || chr(31) || p_key, 4242)) THEN
    RETURN QUERY SELECT 'in_flight'::text, NULL::int, NULL::text;
    RETURN;
  END IF;
  SELECT * INTO found_row FROM idempotency_keys k
   WHERE k.customer_id = p_customer AND k.key = p_key AND k.expires_at > now();
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'claimed'::text, NULL::int, NULL::text;
  ELSIF found_row.request_hash = p_hash THEN
    RETURN QUERY SELECT 'replay'::text, found_row.response_status, found_row.response_body;
  ELSE
    RETURN QUERY SELECT 'mismatch'::text, NULL::int, NULL::text;
  END IF;
END $$;

-- Records the response of a claimed key; an expired row with the same key is taken over.
CREATE FUNCTION store_idempotency_key(p_customer text, p_key text, p_hash text, p_status int, p_body text, p_ttl_seconds int)
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO idempotency_keys (customer_id, key, request_hash, response_status, response_body, expires_at)
  VALUES (p_customer, p_key, p_hash, p_status, p_body, now() + make_interval(secs => p_ttl_seconds))
  ON CONFLICT (customer_id, key) DO UPDATE
     SET request_hash = EXCLUDED.request_hash, response_status = EXCLUDED.response_status,
         response_body = EXCLUDED.response_body, created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at
   WHERE idempotency_keys.expires_at <= now();
  IF NOT FOUND THEN
    RAISE EXCEPTION 'idempotency key % already recorded', p_key USING ERRCODE = 'unique_violation';
  END IF;
END $$;

-- Places an order in ONE round trip and ONE transaction: key claim, order, items, outbox event, key record.
CREATE FUNCTION place_order(
  p_customer text, p_key text, p_hash text, p_ttl_seconds int,
  p_order_id uuid, p_currency text, p_total_cents bigint, p_created_at timestamptz,
  p_skus text[], p_quantities int[], p_unit_prices bigint[],
  p_event_id uuid, p_subject text, p_payload jsonb, p_headers jsonb,
  p_response_body text
) RETURNS TABLE (outcome text, response_status int, response_body text)
LANGUAGE plpgsql AS $$
DECLARE
  claim record;
BEGIN
  SELECT * INTO claim FROM claim_idempotency_key(p_customer, p_key, p_hash);
  IF claim.outcome <> 'claimed' THEN
    RETURN QUERY SELECT claim.outcome, claim.response_status, claim.response_body;
    RETURN;
  END IF;
  INSERT INTO orders (id, customer_id, status, currency, total_cents, created_at, updated_at)
  VALUES (p_order_id, p_customer, 'placed', p_currency, p_total_cents, p_created_at, p_created_at);
  INSERT INTO order_items (order_id, line, sku, quantity, unit_price_cents)
  SELECT p_order_id, t.line, t.sku, t.quantity, t.unit_price
    FROM unnest(p_skus, p_quantities, p_unit_prices) WITH ORDINALITY AS t(sku, quantity, unit_price, line);
  INSERT INTO outbox (id, subject, payload, headers) VALUES (p_event_id, p_subject, p_payload, p_headers);
  PERFORM store_idempotency_key(p_customer, p_key, p_hash, 201, p_response_body, p_ttl_seconds);
  RETURN QUERY SELECT 'created'::text, 201, p_response_body;
END $$;
