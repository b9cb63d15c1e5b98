-- Relay leadership as a lease: the leader renews it while its batches succeed, so leadership stays put while the leader
-- is healthy (an advisory lock per batch alone changed hands whenever a standby polled between two batches).
CREATE TABLE outbox_relay_lease (
  id smallint PRIMARY KEY CHECK (id = 1),
  holder text NOT NULL,
  expires_at timestamptz NOT NULL
);
