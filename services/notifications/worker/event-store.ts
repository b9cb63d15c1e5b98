// The worker's persistence: which events are processed or claimed by a replica, and recording a batch of them with their notifications atomically.
import type { Sql } from "../../../lib/db/postgres.ts";
import { classify } from "./failure.ts";

export interface NotificationRecord {
  id: string;
  eventId: string;
  customerId: string;
  orderId: string;
  type: string;
  title: string;
  message: string;
  channel: string;
  eventTime: string;
  deliveryAttempts: number;
  traceId: string | null;
}

/** recorded: this call wrote it; duplicate: it was processed before (or earlier in the same batch); failed: this record alone was rejected. */
export type RecordResult = { status: "recorded" } | { status: "duplicate" } | { status: "failed"; error: unknown };

/** done: processed before; claimed: this owner holds it now (send it); busy: another owner's claim is live for about `forMs`. */
export type ClaimState = { state: "done" } | { state: "claimed" } | { state: "busy"; forMs: number };

export interface EventStore {
  /** The subset of `eventIds` this consumer has already processed. */
  processed(eventIds: string[]): Promise<Set<string>>;
  /**
   * In one statement: which of `eventIds` are processed, and for the others a claim for `owner` for `leaseMs`
   * (taken when free or expired, renewed when `owner` holds it already). Across replicas, at most one owner holds a
   * live claim on an event, so only one hands it to the channel.
   */
  claim(eventIds: string[], owner: string, leaseMs: number): Promise<Map<string, ClaimState>>;
  /** Gives up `owner`'s claim on an event it did not record (its send failed), so another replica need not wait the lease. */
  release(eventId: string, owner: string): Promise<void>;
  /**
   * Writes processed_events rows and, for the events not processed before, their notifications, in ONE
   * statement (one transaction): all or nothing. Throws when the batch as a whole failed (retry all);
   * when the database rejects a value (a permanent error), the records are retried one by one so only
   * the bad one fails.
   */
  record(records: NotificationRecord[]): Promise<RecordResult[]>;
  ping(): Promise<void>;
}

export function createEventStore(sql: Sql, consumer: string): EventStore {
  const insert = async (records: NotificationRecord[]): Promise<Set<string>> => {
    const rows = records.map((r) => ({
      id: r.id,
      event_id: r.eventId,
      customer_id: r.customerId,
      order_id: r.orderId,
      type: r.type,
      title: r.title,
      message: r.message,
      channel: r.channel,
      event_time: r.eventTime,
      delivery_attempts: r.deliveryAttempts,
      trace_id: r.traceId,
    }));
    const done = await sql<{ event_id: string }[]>`
      WITH batch AS (
        SELECT * FROM jsonb_to_recordset(${sql.json(rows)}::jsonb) AS b(
          id uuid, event_id uuid, customer_id text, order_id uuid, type text, title text, message text,
          channel text, event_time timestamptz, delivery_attempts int, trace_id text)
      ), stale_claims AS (
        -- Expired long ago: their holders finished (or died) well before, so no statement can still depend on them.
        DELETE FROM delivery_claims WHERE consumer = ${consumer} AND expires_at < now() - interval '10 minutes'
      ), fresh AS (
        INSERT INTO processed_events (consumer, event_id)
        SELECT ${consumer}, event_id FROM batch
        ON CONFLICT DO NOTHING
        RETURNING event_id
      )
      INSERT INTO notifications (id, event_id, customer_id, order_id, type, title, message, channel, event_time, delivery_attempts, trace_id)
      SELECT b.id, b.event_id, b.customer_id, b.order_id, b.type, b.title, b.message, b.channel, b.event_time, b.delivery_attempts, b.trace_id
        FROM batch b JOIN fresh USING (event_id)
      RETURNING event_id::text AS event_id`;
    return new Set(done.map((r) => r.event_id));
  };

  const recordEach = async (records: NotificationRecord[]): Promise<RecordResult[]> => {
    const out: RecordResult[] = [];
    for (const r of records) {
      try {
        out.push((await insert([r])).has(r.eventId) ? { status: "recorded" } : { status: "duplicate" });
      } catch (error) {
        if (!classify(error).permanent) throw error;
        out.push({ status: "failed", error });
      }
    }
    return out;
  };

  return {
    async processed(eventIds) {
      if (eventIds.length === 0) return new Set();
      const rows = await sql<{ event_id: string }[]>`
        SELECT event_id::text AS event_id FROM processed_events WHERE consumer = ${consumer} AND event_id = ANY(${eventIds}::uuid[])`;
      return new Set(rows.map((r) => r.event_id));
    },

    async claim(eventIds, owner, leaseMs) {
      if (eventIds.length === 0) return new Map();
      const rows = await sql<{ event_id: string; state: "done" | "claimed" | "busy"; busy_ms: number | null }[]>`
        WITH ids AS (
          SELECT DISTINCT unnest(${eventIds}::uuid[]) AS event_id
        ), done AS (
          SELECT p.event_id FROM processed_events p JOIN ids USING (event_id) WHERE p.consumer = ${consumer}
        ), taken AS (
          INSERT INTO delivery_claims AS c (consumer, event_id, owner, expires_at)
          SELECT ${consumer}, event_id, ${owner}, now() + make_interval(secs => ${leaseMs}::float8 / 1000)
            FROM ids WHERE event_id NOT IN (SELECT event_id FROM done)
          ON CONFLICT (consumer, event_id) DO UPDATE SET owner = EXCLUDED.owner, expires_at = EXCLUDED.expires_at
            WHERE c.expires_at <= now() OR c.owner = EXCLUDED.owner
          RETURNING event_id
        )
        SELECT ids.event_id::text AS event_id,
               CASE WHEN done.event_id IS NOT NULL THEN 'done' WHEN taken.event_id IS NOT NULL THEN 'claimed' ELSE 'busy' END AS state,
               (SELECT greatest(0, ceil(extract(epoch FROM c.expires_at - now()) * 1000))::int
                  FROM delivery_claims c WHERE c.consumer = ${consumer} AND c.event_id = ids.event_id) AS busy_ms
          FROM ids LEFT JOIN done USING (event_id) LEFT JOIN taken USING (event_id)`;
      return new Map(
        rows.map((r): [string, ClaimState] => [
          r.event_id,
          // A claim committed after this statement's snapshot has no visible expiry: assume a whole lease.
          r.state === "busy" ? { state: "busy", forMs: r.busy_ms ?? leaseMs } : { state: r.state },
        ]),
      );
    },

    async release(eventId, owner) {
      await sql`DELETE FROM delivery_claims WHERE consumer = ${consumer} AND event_id = ${eventId} AND owner = ${owner}`;
    },

    async record(records) {
      // The same event twice in one batch (two messages, one event id): the first is written, the rest are duplicates.
      const first = new Map<string, NotificationRecord>();
      for (const r of records) if (!first.has(r.eventId)) first.set(r.eventId, r);
      let written: Set<string>;
      try {
        written = await insert([...first.values()]);
      } catch (err) {
        if (records.length > 1 && classify(err).permanent) return recordEach(records);
        throw err;
      }
      return records.map((r) => (first.get(r.eventId) === r && written.has(r.eventId) ? { status: "recorded" } : { status: "duplicate" }));
    },

    async ping() {
      await sql`SELECT 1`;
    },
  };
}
