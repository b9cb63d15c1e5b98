// Housekeeping of the embedded broker: drops messages past their stream's max age and delivery state nobody will settle.
import type { Sql } from "../../db/postgres.ts";
import type { Logger } from "../../logging/logger.ts";

/** Oldest messages examined per statement, and statements per stream per run: bounded work, oldest first. */
const SLICE = 5_000;
const SLICES_PER_RUN = 20;

export interface Retention {
  /** Starts a run in the background unless one ran within the interval (called from busy paths: no timer of its own). */
  poke(): void;
  /** Runs now and waits for it. */
  run(): Promise<void>;
  /** Waits for a run in progress. */
  drain(): Promise<void>;
}

export function createRetention(sql: Sql, log: Logger, intervalMs = 10_000): Retention {
  let last = 0;
  let running: Promise<void> | undefined;

  const pruneStream = async (stream: string, maxAgeMs: number) => {
    let total = 0;
    for (let i = 0; i < SLICES_PER_RUN; i++) {
      // seq order is publish order, so the expired messages are the oldest seqs: examine them a slice at a time.
      const [row] = await sql<{ n: number }[]>`
        with oldest as (
          select seq, published_at from broker.messages where stream = ${stream} order by seq limit ${SLICE}
        ), old as (
          delete from broker.messages m using oldest o
          where m.stream = ${stream} and m.seq = o.seq and o.published_at < now() - ${maxAgeMs} * interval '1 millisecond'
          returning m.seq
        ), gone as (
          delete from broker.deliveries d using old where d.stream = ${stream} and d.seq = old.seq
        )
        select count(*)::int as n from old`;
      total += row?.n ?? 0;
      if (!row || row.n < SLICE) break;
    }
    if (total > 0) log.debug("expired messages dropped", { stream, count: total });
  };

  const run = () =>
    (running ??= (async () => {
      last = Date.now();
      try {
        const streams = await sql<{ name: string; max_age_ms: string }[]>`select name, max_age_ms from broker.streams where max_age_ms > 0`;
        for (const s of streams) await pruneStream(s.name, Number(s.max_age_ms));
        // Exhausted deliveries past their last ack wait: never redelivered, no longer ack-pending.
        await sql`
          delete from broker.deliveries d using broker.consumers c
          where d.stream = c.stream and d.durable = c.durable and d.deliveries >= c.max_deliver and d.next_at < now()`;
        // State of messages deleted while a claim was taking them (they can never be delivered).
        await sql`
          delete from broker.deliveries d
          where not exists (select 1 from broker.messages m where m.stream = d.stream and m.seq = d.seq)`;
      } catch (err) {
        log.warn("broker retention run failed", { error: String(err) });
      } finally {
        running = undefined;
      }
    })());

  return {
    poke() {
      if (!running && Date.now() - last >= intervalMs) void run();
    },
    run,
    drain: async () => {
      await running;
    },
  };
}
