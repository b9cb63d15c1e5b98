// Consumer lag and dead-letter depth, sampled from the transport every few seconds (never per scrape).
import type { Logger } from "../../../lib/logging/logger.ts";
import type { Transport } from "../../../lib/messaging/types.ts";
import type { Registry } from "../../../lib/metrics/registry.ts";
import { type PeriodicJob, startPeriodic } from "../../../lib/serve/periodic.ts";

export const BACKLOG_SAMPLE_INTERVAL_MS = 5_000;

export interface BacklogSource {
  transport: Transport;
  /** The consumed stream and the durable consumer whose lag is reported. */
  stream: string;
  durable: string;
  /** The dead-letter stream whose depth is reported. */
  dlq: string;
}

/**
 * Registers notifications_consumer_pending, notifications_consumer_ack_pending and notifications_dead_letters and
 * samples them now and every `intervalMs`. A failed sample (broker away) is logged; the gauges keep their last values.
 * Every replica reports the same durable consumer and stream: aggregate with max(), not sum().
 */
export function startBacklogGauges(registry: Registry, src: BacklogSource, log: Logger, intervalMs = BACKLOG_SAMPLE_INTERVAL_MS): PeriodicJob {
  const pending = registry
    .gauge({ name: "notifications_consumer_pending", help: "Messages of the consumed stream not yet delivered to the durable consumer, sampled" })
    .labels();
  const ackPending = registry
    .gauge({ name: "notifications_consumer_ack_pending", help: "Messages delivered to the durable consumer and not yet acknowledged, sampled" })
    .labels();
  const deadLetters = registry
    .gauge({ name: "notifications_dead_letters", help: "Messages in the dead-letter stream (awaiting inspection or replay), sampled" })
    .labels();
  const job = startPeriodic(
    "backlog metrics sample",
    intervalMs,
    async () => {
      const [lag, depth] = await Promise.all([src.transport.consumerLag(src.stream, src.durable), src.transport.countMessages(src.dlq)]);
      pending.set(lag.pending);
      ackPending.set(lag.ackPending);
      deadLetters.set(depth);
    },
    log,
  );
  void job.runNow();
  return job;
}
