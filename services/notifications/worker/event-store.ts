// The worker's persistence: which events are already processed, and recording a batch of them with their notifications atomically.
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

export interface EventStore {
  /** The subset of `eventIds` this consumer has already processed. */
  processed(eventIds: string[]): Promise<Set<string>>;
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
