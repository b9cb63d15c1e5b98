-- The relay claims due rows oldest first: an index in that order over the unpublished rows lets it read only the
-- first batch instead of sorting the whole backlog (0001's (next_attempt_at, created_at) index could not).
CREATE INDEX outbox_due_idx ON outbox (created_at) WHERE published_at IS NULL AND dead_at IS NULL;
DROP INDEX outbox_pending_idx;
