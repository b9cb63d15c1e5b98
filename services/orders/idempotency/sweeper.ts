// Deletes expired Idempotency-Key records in small batches so the table stays bounded.
import type { Sql } from "../../../lib/db/postgres.ts";
import type { Logger } from "../../../lib/logging/logger.ts";

export interface Sweeper {
  sweepOnce(): Promise<number>;
  stop(): Promise<void>;
}

export function startIdempotencySweeper(sql: Sql, log: Logger, intervalMs = 60_000, batch = 1_000): Sweeper {
  let running: Promise<number> | undefined;
  const sweepOnce = async () => {
    let total = 0;
    for (;;) {
      const rows = await sql`
        DELETE FROM idempotency_keys WHERE (customer_id, key) IN (
          SELECT customer_id, key FROM idempotency_keys WHERE expires_at <= now() LIMIT ${batch})
        RETURNING 1`;
      total += rows.length;
      if (rows.length < batch) return total;
    }
  };
  const tick = () => {
    running = sweepOnce()
      .then((n) => {
        if (n > 0) log.info("expired idempotency keys deleted", { count: n });
        return n;
      })
      .catch((err) => {
        log.warn("idempotency sweep failed", { err: err instanceof Error ? err.message : String(err) });
        return 0;
      });
  };
  const timer = setInterval(tick, intervalMs);
  return {
    sweepOnce,
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
