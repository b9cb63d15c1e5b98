// Deletes published outbox rows once they are past the retention period (kept meanwhile for replay).
import type { Sql } from "../../../lib/db/postgres.ts";
import type { Logger } from "../../../lib/logging/logger.ts";
import { drainInBatches, type PeriodicJob, startPeriodic } from "../../../lib/serve/periodic.ts";
import { deletePublishedBefore } from "./outbox-store.ts";

export const DEFAULT_RETENTION_MS = 7 * 24 * 3600_000;

export function startOutboxRetention(sql: Sql, log: Logger, retentionMs = DEFAULT_RETENTION_MS, intervalMs = 10 * 60_000): PeriodicJob {
  return startPeriodic(
    "outbox retention",
    intervalMs,
    async () => {
      // Small batches keep each DELETE short, so it never holds up the relay or order writes.
      const n = await drainInBatches(500, (limit) => deletePublishedBefore(sql, retentionMs, limit));
      if (n > 0) log.info("published outbox rows deleted", { count: n, retention_ms: retentionMs });
    },
    log,
  );
}
