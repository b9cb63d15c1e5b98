// Idempotency-Key metrics: stored responses replayed, and conflicts (same key in flight, or reused with another request).
import type { Registry } from "../../../lib/metrics/registry.ts";
import type { IdempotentOutcome } from "./outcome.ts";

export type IdempotencyRecorder = (outcome: IdempotentOutcome["kind"]) => void;

export function createIdempotencyMetrics(registry: Registry): IdempotencyRecorder {
  const replays = registry
    .counter({
      name: "orders_idempotency_replays_total",
      help: "Requests answered with the stored response of an earlier request with the same Idempotency-Key",
    })
    .labels();
  const conflicts = registry.counter({
    name: "orders_idempotency_conflicts_total",
    help: "Requests refused over their Idempotency-Key: in_flight (409, the first is still running) or mismatch (422, another body or operation)",
    labelNames: ["reason"],
  });
  // Both reasons exist from the start (at zero), so rate() and alerts see them before the first conflict.
  const inFlight = conflicts.labels("in_flight");
  const mismatch = conflicts.labels("mismatch");
  return (outcome) => {
    if (outcome === "replay") replays.inc();
    else if (outcome === "in_flight") inFlight.inc();
    else if (outcome === "mismatch") mismatch.inc();
  };
}
