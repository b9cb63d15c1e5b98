-- Embedded broker, version 1: streams, their messages, durable consumers and per-message delivery state.
-- Runs inside the bootstrap transaction (schema.ts) after `CREATE SCHEMA broker`, under its advisory lock.

CREATE TABLE broker.streams (
  name                 text PRIMARY KEY,
  subjects             text[] NOT NULL,
  duplicate_window_ms  bigint NOT NULL,
  max_message_bytes    integer,                   -- NULL: no limit
  max_age_ms           bigint NOT NULL DEFAULT 0, -- 0: keep forever
  -- Publishes lock this row and bump it in the same transaction: seqs commit (become visible) in order,
  -- so a consumer's cursor never skips a late commit.
  last_seq             bigint NOT NULL DEFAULT 0,
  created_at           timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE broker.messages (
  stream        text NOT NULL,
  seq           bigint NOT NULL,
  subject       text NOT NULL,
  msg_id        text,
  data          bytea NOT NULL,
  headers       jsonb NOT NULL DEFAULT '{}',
  published_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (stream, seq)
);
-- Duplicate detection: the newest message with this id inside the stream's window.
CREATE INDEX messages_msg_id_idx ON broker.messages (stream, msg_id);

CREATE TABLE broker.consumers (
  stream           text NOT NULL REFERENCES broker.streams (name) ON DELETE CASCADE,
  durable          text NOT NULL,
  filter_subjects  text[] NOT NULL,
  filter_re        text NOT NULL,              -- the filters as one anchored regex; '' matches every subject
  ack_wait_ms      bigint NOT NULL,
  max_deliver      integer NOT NULL,
  max_ack_pending  integer NOT NULL,
  -- Every message with seq <= cursor_seq has a deliveries row, was settled, or did not match the filter.
  cursor_seq       bigint NOT NULL DEFAULT 0,
  created_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (stream, durable)
);

-- Messages handed out and not yet settled. ack and term delete the row; the cursor keeps them from coming back.
CREATE TABLE broker.deliveries (
  stream      text NOT NULL,
  durable     text NOT NULL,
  seq         bigint NOT NULL,
  deliveries  integer NOT NULL,      -- deliveries so far; 0 = claimed, then released unseen by a stopping subscriber
  next_at     timestamptz NOT NULL,  -- ack deadline of the current delivery, or when a nak'ed/released one is due
  PRIMARY KEY (stream, durable, seq)
);

-- Publishes a batch to one stream in one statement: assigns seqs in order, drops ids seen inside the
-- duplicate window (also repeats inside the batch). Data arrives as one concatenated bytea cut by p_lens.
-- Returns one row per input (1-based i); no rows when the stream does not exist.
CREATE FUNCTION broker.publish(p_stream text, p_subjects text[], p_ids text[], p_headers text[], p_lens integer[], p_data bytea)
RETURNS TABLE (out_i integer, out_seq bigint, out_duplicate boolean)
LANGUAGE plpgsql AS $$
DECLARE
  v_last bigint;
  v_window bigint;
BEGIN
  SELECT s.last_seq, s.duplicate_window_ms INTO v_last, v_window FROM broker.streams s WHERE s.name = p_stream FOR UPDATE;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  RETURN QUERY
  WITH input AS (
    SELECT u.i::integer AS i, u.subject, u.id, u.hdr::jsonb AS hdr,
      substring(p_data FROM (coalesce(sum(u.len) OVER (ORDER BY u.i ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) + 1)::integer FOR u.len) AS data,
      row_number() OVER (PARTITION BY u.id ORDER BY u.i) AS occurrence
    FROM unnest(p_subjects, p_ids, p_headers, p_lens) WITH ORDINALITY AS u(subject, id, hdr, len, i)
  ), known AS (
    SELECT DISTINCT ON (m.msg_id) m.msg_id, m.seq FROM broker.messages m
    WHERE m.stream = p_stream AND m.msg_id = ANY (p_ids) AND m.published_at > now() - v_window * interval '1 millisecond'
    ORDER BY m.msg_id, m.seq DESC
  ), fresh AS (
    SELECT x.i, x.subject, x.id, x.hdr, x.data, v_last + row_number() OVER (ORDER BY x.i) AS seq FROM input x
    WHERE x.occurrence = 1 AND NOT EXISTS (SELECT 1 FROM known k WHERE k.msg_id = x.id)
  ), stored AS (
    INSERT INTO broker.messages (stream, seq, subject, msg_id, data, headers)
    SELECT p_stream, f.seq, f.subject, f.id, f.data, f.hdr FROM fresh f
  ), bumped AS (
    UPDATE broker.streams s SET last_seq = v_last + (SELECT count(*) FROM fresh) WHERE s.name = p_stream
  )
  SELECT x.i, coalesce(f.seq, k.seq, f1.seq), f.seq IS NULL
  FROM input x
  LEFT JOIN fresh f ON f.i = x.i
  LEFT JOIN known k ON k.msg_id = x.id
  LEFT JOIN fresh f1 ON f1.id = x.id
  ORDER BY x.i;
END $$;

-- Claims up to p_max deliveries for one durable: due redeliveries first (nak'ed, released, or past their
-- ack wait, under max_deliver), then new messages after the cursor. Row locks with SKIP LOCKED let
-- several pollers share a durable; max_ack_pending bounds what is out at once. Returns them in seq order.
CREATE FUNCTION broker.claim(p_stream text, p_durable text, p_max integer)
RETURNS TABLE (out_seq bigint, out_deliveries integer, out_subject text, out_msg_id text, out_data bytea, out_headers jsonb, out_published_at timestamptz)
LANGUAGE plpgsql AS $$
DECLARE
  c broker.consumers%ROWTYPE;
  v_room integer;
  v_got integer;
  v_cursor bigint;
  v_last bigint;
  v_seqs bigint[];
BEGIN
  SELECT * INTO c FROM broker.consumers WHERE stream = p_stream AND durable = p_durable;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'consumer % of stream % does not exist', p_durable, p_stream USING ERRCODE = 'no_data_found';
  END IF;
  SELECT least(p_max, c.max_ack_pending - count(*))::integer INTO v_room FROM broker.deliveries d
  WHERE d.stream = p_stream AND d.durable = p_durable AND d.deliveries > 0 AND d.next_at > now();
  IF v_room <= 0 THEN
    RETURN;
  END IF;

  RETURN QUERY
  WITH due AS (
    SELECT d.seq FROM broker.deliveries d
    WHERE d.stream = p_stream AND d.durable = p_durable AND d.next_at <= now() AND d.deliveries < c.max_deliver
    ORDER BY d.seq LIMIT v_room FOR UPDATE SKIP LOCKED
  ), taken AS (
    UPDATE broker.deliveries d SET deliveries = d.deliveries + 1, next_at = now() + c.ack_wait_ms * interval '1 millisecond'
    FROM due WHERE d.stream = p_stream AND d.durable = p_durable AND d.seq = due.seq
    RETURNING d.seq, d.deliveries
  )
  SELECT t.seq, t.deliveries, m.subject, m.msg_id, m.data, m.headers, m.published_at
  FROM taken t JOIN broker.messages m ON m.stream = p_stream AND m.seq = t.seq ORDER BY t.seq;
  GET DIAGNOSTICS v_got = ROW_COUNT;
  v_room := v_room - v_got;
  IF v_room <= 0 THEN
    RETURN;
  END IF;

  -- New messages: whoever holds the consumer row is advancing the cursor; the others skip this part.
  SELECT cursor_seq INTO v_cursor FROM broker.consumers WHERE stream = p_stream AND durable = p_durable FOR UPDATE SKIP LOCKED;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  -- Read after the lock: every message up to v_last is committed and visible to the next statement.
  SELECT last_seq INTO v_last FROM broker.streams WHERE name = p_stream;
  SELECT coalesce(array_agg(x.seq ORDER BY x.seq), '{}') INTO v_seqs FROM (
    SELECT m.seq FROM broker.messages m
    WHERE m.stream = p_stream AND m.seq > v_cursor AND m.seq <= v_last AND (c.filter_re = '' OR m.subject ~ c.filter_re)
    ORDER BY m.seq LIMIT v_room
  ) x;
  UPDATE broker.consumers SET cursor_seq = greatest(cursor_seq, CASE WHEN cardinality(v_seqs) >= v_room THEN v_seqs[cardinality(v_seqs)] ELSE v_last END)
  WHERE stream = p_stream AND durable = p_durable;
  IF cardinality(v_seqs) = 0 THEN
    RETURN;
  END IF;
  RETURN QUERY
  WITH added AS (
    INSERT INTO broker.deliveries (stream, durable, seq, deliveries, next_at)
    SELECT p_stream, p_durable, s, 1, now() + c.ack_wait_ms * interval '1 millisecond' FROM unnest(v_seqs) AS s
    ON CONFLICT DO NOTHING
    RETURNING seq, deliveries
  )
  SELECT a.seq, a.deliveries, m.subject, m.msg_id, m.data, m.headers, m.published_at
  FROM added a JOIN broker.messages m ON m.stream = p_stream AND m.seq = a.seq ORDER BY a.seq;
END $$;
