-- The outbox metrics count dead rows every few seconds: a partial index over just them (normally none) keeps that
-- from scanning the whole table, published rows included.
CREATE INDEX outbox_dead_idx ON outbox (dead_at) WHERE dead_at IS NOT NULL;
