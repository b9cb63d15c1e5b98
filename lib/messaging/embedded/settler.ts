// Acks and terms of the embedded broker: settles arriving together become one DELETE, and each resolves only after it committed.
import type { Sql } from "../../db/postgres.ts";

interface Settle {
  stream: string;
  durable: string;
  seq: number;
  resolve(): void;
  reject(err: unknown): void;
}

/** Rows per statement at most. */
const MAX_BATCH = 1_000;

export interface Settler {
  /** Removes the delivery state of (stream, durable, seq): it is never delivered again. Idempotent. */
  settle(stream: string, durable: string, seq: number): Promise<void>;
  /** Resolves when every settle queued so far has been answered. */
  drain(): Promise<void>;
}

/**
 * While one statement runs, the settles arriving meanwhile queue up and go together in the next, so
 * the batch grows with the load while a lone ack still costs a single round trip (autocommit = durable).
 */
export function createSettler(sql: Sql): Settler {
  let queue: Settle[] = [];
  let running: Promise<void> | undefined;

  const run = async () => {
    try {
      while (queue.length > 0) {
        const batch = queue.slice(0, MAX_BATCH);
        queue = queue.slice(batch.length);
        try {
          await sql`
            delete from broker.deliveries d
            using unnest(${batch.map((s) => s.stream)}::text[], ${batch.map((s) => s.durable)}::text[], ${batch.map((s) => s.seq)}::bigint[]) as u(stream, durable, seq)
            where d.stream = u.stream and d.durable = u.durable and d.seq = u.seq`;
          for (const s of batch) s.resolve();
        } catch (err) {
          for (const s of batch) s.reject(err);
        }
      }
    } finally {
      running = undefined;
    }
  };

  return {
    settle(stream, durable, seq) {
      return new Promise((resolve, reject) => {
        queue.push({ stream, durable, seq, resolve, reject });
        // A microtask first, so settles made in the same tick share the statement.
        running ??= new Promise<void>((r) => queueMicrotask(r)).then(run);
      });
    },
    async drain() {
      while (running) await running;
    },
  };
}
