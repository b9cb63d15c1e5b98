// Outbox metrics: the relay's publish counters, and backlog gauges sampled by a cheap periodic query (never one per scrape).
import type { Sql } from "../../../lib/db/postgres.ts";
import type { Logger } from "../../../lib/logging/logger.ts";
import type { CounterSeries, Registry } from "../../../lib/metrics/registry.ts";
import { type PeriodicJob, startPeriodic } from "../../../lib/serve/periodic.ts";

export interface RelayMetrics {
  /** Events published (PubAck received and the row marked). */
  published: CounterSeries;
  /** Publish attempts that failed, per event: transient (retried later), permanent (row now dead) or broker down. */
  publishFailures: CounterSeries;
  /** Events re-published after a broker fault (each confirmed by a duplicate acknowledgement, or restored). */
  republished: CounterSeries;
  /** Re-published events the broker had lost (acknowledged before, missing after a failover) and stored again. */
  restored: CounterSeries;
}

export function createRelayMetrics(registry: Registry): RelayMetrics {
  return {
    published: registry.counter({ name: "orders_outbox_published_total", help: "Outbox events published to the broker by this relay" }).labels(),
    publishFailures: registry
      .counter({ name: "orders_outbox_publish_failures_total", help: "Outbox publish attempts that failed, per event (retried unless the row went dead)" })
      .labels(),
    republished: registry
      .counter({
        name: "orders_outbox_republished_total",
        help: "Outbox events re-published with their message id after a broker fault, to check the stream still has them",
      })
      .labels(),
    restored: registry
      .counter({ name: "orders_outbox_restored_total", help: "Re-published outbox events the broker had lost after a fault and stored again" })
      .labels(),
  };
}

/** The unpublished count stops here: counting a huge backlog every few seconds would be a load of its own. */
export const UNPUBLISHED_COUNT_CAP = 100_000;
export const OUTBOX_SAMPLE_INTERVAL_MS = 5_000;

export interface OutboxBacklog {
  unpublished: number;
  oldestUnpublishedAgeSeconds: number;
  dead: number;
}

/**
 * One round trip, three index reads: the count and the oldest row walk outbox_due_idx (the partial index of
 * unpublished, live rows), the dead count walks outbox_dead_idx (migration 0003); published rows are never touched.
 */
export async function readOutboxBacklog(sql: Sql): Promise<OutboxBacklog> {
  const [row] = await sql<{ unpublished: number; oldest_age: number | null; dead: number }[]>`
    SELECT
      (SELECT count(*)::int FROM (SELECT 1 FROM outbox WHERE published_at IS NULL AND dead_at IS NULL LIMIT ${UNPUBLISHED_COUNT_CAP}) u) AS unpublished,
      (SELECT extract(epoch FROM clock_timestamp() - min(created_at))::float8 FROM outbox WHERE published_at IS NULL AND dead_at IS NULL) AS oldest_age,
      (SELECT count(*)::int FROM outbox WHERE dead_at IS NOT NULL) AS dead`;
  return { unpublished: row?.unpublished ?? 0, oldestUnpublishedAgeSeconds: Math.max(0, row?.oldest_age ?? 0), dead: row?.dead ?? 0 };
}

/** Registers the backlog gauges and samples them now and every `intervalMs`; a failed sample is logged and the gauges keep their last values. */
export function startOutboxGauges(registry: Registry, sql: Sql, log: Logger, intervalMs = OUTBOX_SAMPLE_INTERVAL_MS): PeriodicJob {
  const unpublished = registry
    .gauge({ name: "orders_outbox_unpublished", help: `Outbox events not yet published and not dead, sampled (counted up to ${UNPUBLISHED_COUNT_CAP})` })
    .labels();
  const oldestAge = registry
    .gauge({ name: "orders_outbox_oldest_unpublished_age_seconds", help: "Age of the oldest unpublished, live outbox event (0 when none), sampled" })
    .labels();
  const dead = registry.gauge({ name: "orders_outbox_dead", help: "Outbox events the broker refused for good (dead rows awaiting redrive), sampled" }).labels();
  const job = startPeriodic(
    "outbox metrics sample",
    intervalMs,
    async () => {
      const b = await readOutboxBacklog(sql);
      unpublished.set(b.unpublished);
      oldestAge.set(b.oldestUnpublishedAgeSeconds);
      dead.set(b.dead);
    },
    log,
  );
  void job.runNow();
  return job;
}
