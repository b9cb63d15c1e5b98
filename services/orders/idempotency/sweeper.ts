// Deletes expired Idempotency-Key records in small batches so the table stays bounded.
import type { Sql } from "../../../lib/db/postgres.ts";
import type { Logger } from "../../../lib/logging/logger.ts";
import { drainInBatches, type PeriodicJob, startPeriodic } from "../../../lib/serve/periodic.ts";

export function deleteExpiredKeys(sql: Sql, batch = 1_000): Promise<number> {
  return drainInBatches(batch, async (limit) => {
    const rows = await sql`
      DELETE FROM idempotency_keys WHERE (customer_id, key) IN (
        SELECT customer_id, key FROM idempotency_keys WHERE expires_at <= now() LIMIT ${limit})
      RETURNING 1`;
    return rows.length;
  });
}

export function startIdempotencySweeper(sql: Sql, log: Logger, intervalMs = 60_000): PeriodicJob {
  return startPeriodic(
    "idempotency sweep",
    intervalMs,
    async () => {
      const n = await deleteExpiredKeys(sql);
      if (n > 0) log.info("expired idempotency keys deleted", { count: n });
    },
    log,
  );
}
