-- pgbench script for scripts/bench/orders.ts: the straightforward order-create transaction, one statement per round trip.
-- Same rows as POST /v1/orders with 2 items: order, 2 items, outbox event, idempotency record. Ids are UUIDv7-like
-- (millisecond time prefix + random), as the service mints them. Strings come in as parameters via -D (see orders.ts).
BEGIN;
INSERT INTO orders (id, customer_id, status, currency, total_cents, created_at, updated_at)
  VALUES ((lpad(to_hex((extract(epoch FROM clock_timestamp()) * 1000)::bigint), 12, '0') || substr(md5(random()::text), 1, 20))::uuid,
          :customer, 'placed', 'EUR', 2699, now(), now())
  RETURNING id AS order_id \gset
INSERT INTO order_items (order_id, line, sku, quantity, unit_price_cents) VALUES (:order_id, 1, 'BOOK-42', 2, 1250);
INSERT INTO order_items (order_id, line, sku, quantity, unit_price_cents) VALUES (:order_id, 2, 'PEN-1', 1, 199);
INSERT INTO outbox (id, subject, payload, headers)
  VALUES ((lpad(to_hex((extract(epoch FROM clock_timestamp()) * 1000)::bigint), 12, '0') || substr(md5(random()::text), 1, 20))::uuid,
          'orders.placed', :payload, :headers);
INSERT INTO idempotency_keys (customer_id, key, request_hash, response_status, response_body, expires_at)
  VALUES (:customer, gen_random_uuid()::text, :request_hash, 201, :response_body, now() + interval '1 day');
COMMIT;
