-- Cross-replica claims: the replica about to hand an event to the channel holds it for a lease, so another replica
-- with a second message of the same event (a replay, a producer without the outbox) waits instead of sending too.

-- A claim is taken in the same statement that checks processed_events and is left in place after the event is
-- recorded (deleting it then would let a replica whose snapshot predates the commit claim and send again); it
-- expires after the lease (the consumer's ack_wait), so the claim of a replica that died frees itself. Claims
-- expired for a while are deleted when batches are recorded.
CREATE TABLE delivery_claims (
  consumer    text NOT NULL,
  event_id    uuid NOT NULL,
  owner       text NOT NULL,          -- the worker instance holding it (random per process)
  expires_at  timestamptz NOT NULL,
  PRIMARY KEY (consumer, event_id)
);
CREATE INDEX delivery_claims_expires_idx ON delivery_claims (expires_at);
