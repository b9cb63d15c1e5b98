// Worker metrics: how each delivery ended, redeliveries, dead letters and handler latency; series resolved once, up front.
import type { CounterSeries, HistogramSeries, Registry } from "../../../lib/metrics/registry.ts";

/** How one delivery's handling ended (a closed set: the label values of notifications_events_processed_total). */
export const DELIVERY_OUTCOMES = ["processed", "duplicate", "retried", "dead_lettered", "dead_letter_failed", "error"] as const;
export type DeliveryOutcome = (typeof DELIVERY_OUTCOMES)[number];

export interface WorkerMetrics {
  outcome(o: DeliveryOutcome): void;
  /** A delivery with deliveryCount > 1 arrived. */
  redelivery(): void;
  /** Seconds from a delivery's arrival to its settlement. */
  handled(seconds: number): void;
}

export const noWorkerMetrics: WorkerMetrics = { outcome() {}, redelivery() {}, handled() {} };

/** Handler latency: a send through the channel plus a batched commit, a few ms; a webhook up to its timeout (5 s default). */
export const HANDLER_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] as const;

export function createWorkerMetrics(registry: Registry): WorkerMetrics {
  const outcomes = registry.counter({
    name: "notifications_events_processed_total",
    help: "Deliveries handled, by outcome: processed, duplicate (already done), retried, dead_lettered, dead_letter_failed (redelivered), error",
    labelNames: ["outcome"],
  });
  const byOutcome = Object.fromEntries(DELIVERY_OUTCOMES.map((o) => [o, outcomes.labels(o)])) as Record<DeliveryOutcome, CounterSeries>;
  const redeliveries = registry
    .counter({ name: "notifications_redeliveries_total", help: "Deliveries that were redeliveries (delivery count above 1)" })
    .labels();
  const deadLetters = registry.counter({ name: "notifications_dead_letters_total", help: "Messages stored in the dead-letter stream and terminated" }).labels();
  const duration: HistogramSeries = registry
    .histogram({
      name: "notifications_handler_duration_seconds",
      help: "Time from a delivery's arrival to its settlement (ack, nak or term)",
      buckets: HANDLER_DURATION_BUCKETS,
    })
    .labels();
  return {
    outcome(o) {
      byOutcome[o].inc();
      if (o === "dead_lettered") deadLetters.inc();
    },
    redelivery: () => redeliveries.inc(),
    handled: (seconds) => duration.observe(seconds),
  };
}
