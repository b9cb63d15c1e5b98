// Processes deliveries of order events: decode, skip if done, send through the channel, record in batches, ack; else retry or dead-letter.

import { hostname } from "node:os";
import type { OrderEvent } from "../../../lib/events/order-events.ts";
import type { Logger } from "../../../lib/logging/logger.ts";
import type { BackoffPolicy } from "../../../lib/messaging/backoff.ts";
import type { Delivery, Transport } from "../../../lib/messaging/types.ts";
import { currentTrace } from "../../../lib/telemetry/spans.ts";
import { formatTraceparent, type TraceContext } from "../../../lib/telemetry/trace-context.ts";
import { TRACING_OFF, type Tracing } from "../../../lib/telemetry/tracer.ts";
import type { Channel } from "../channels/channel.ts";
import { createAttemptMemory } from "./attempt-memory.ts";
import { createBatcher } from "./batcher.ts";
import { createDeadLetterer } from "./dead-letterer.ts";
import { decodeEvent } from "./decode-event.ts";
import type { EventStore, NotificationRecord, RecordResult } from "./event-store.ts";
import { classify, decide, type Failure } from "./failure.ts";
import { createKeyedTurns } from "./keyed-turns.ts";
import { renderNotification } from "./render.ts";
import { createReplicaClaims } from "./replica-claims.ts";
import { settleQuietly } from "./settle.ts";
import { noWorkerMetrics, type WorkerMetrics } from "./worker-metrics.ts";

export interface DeliveryWorkerOptions {
  /** The durable consumer's name: the processed_events key and the dead-letter subject prefix. */
  consumer: string;
  transport: Transport;
  store: EventStore;
  channel: Channel;
  log: Logger;
  /** Processing attempts per message; the last failing one dead-letters it. */
  maxDeliver: number;
  retry: BackoffPolicy;
  /** Events per database round trip at most. */
  batchSize: number;
  /** How long a partly filled batch waits for more events. */
  flushMs?: number;
  deadLetterTimeoutMs?: number;
  now?: () => Date;
  newId?: () => string;
  /** How long a replica's claim on an event holds (default 30 s; the consumer passes its ack_wait). */
  claimLeaseMs?: number;
  /** Names this worker instance in its claims (default host:pid:random, so an operator sees which replica holds one). */
  claimOwner?: string;
  /** notifications_events_processed_total, …_redeliveries_total, …_dead_letters_total, …_handler_duration_seconds. */
  metrics?: WorkerMetrics;
  /** The tracing the transport was opened with: its consumer span's ids are logged and passed on (default: off). */
  tracing?: Tracing | undefined;
}

export interface WorkerStats {
  processed: number;
  duplicates: number;
  retried: number;
  deadLettered: number;
  deadLetterFailures: number;
}

export interface DeliveryWorker {
  /** The consume handler: always settles the delivery (ack, nak or term) and never throws. */
  handle(d: Delivery): Promise<void>;
  readonly stats: WorkerStats;
}

const DEFAULT_CLAIM_LEASE_MS = 30_000;

const header = (h: Record<string, string>, name: string) => h[name] ?? Object.entries(h).find(([k]) => k.toLowerCase() === name)?.[1];

export function createDeliveryWorker(opts: DeliveryWorkerOptions): DeliveryWorker {
  const now = opts.now ?? (() => new Date());
  const tracing = opts.tracing ?? TRACING_OFF;
  const newId = opts.newId ?? (() => Bun.randomUUIDv7());
  const stats: WorkerStats = { processed: 0, duplicates: 0, retried: 0, deadLettered: 0, deadLetterFailures: 0 };
  const metrics = opts.metrics ?? noWorkerMetrics;
  const attempts = createAttemptMemory();
  // Deliveries of one event id (two messages, or a redelivery while the first is still running) take turns
  // in this process, so the second finds the first's commit and is skipped instead of sending again.
  const turns = createKeyedTurns();
  const flushMs = opts.flushMs ?? 5;
  // Across replicas: the same check claims the event in the database, so one replica sends it and the others wait.
  const claims = createReplicaClaims({
    store: opts.store,
    owner: opts.claimOwner ?? `${hostname()}:${process.pid}:${newId().slice(-12)}`,
    leaseMs: opts.claimLeaseMs ?? DEFAULT_CLAIM_LEASE_MS,
    batchSize: opts.batchSize,
    flushMs,
  });
  const recorder = createBatcher<NotificationRecord, RecordResult>({ maxSize: opts.batchSize, maxWaitMs: flushMs, run: (rs) => opts.store.record(rs) });

  const deadLetter = createDeadLetterer({
    consumer: opts.consumer,
    transport: opts.transport,
    retry: opts.retry,
    attempts,
    stats,
    metrics,
    now,
    timeoutMs: opts.deadLetterTimeoutMs,
  });

  const fail = async (d: Delivery, log: Logger, traceparent: string, startedAt: number, f: Failure, eventId: string) => {
    const decision = decide(f, d.deliveryCount, opts.maxDeliver, opts.retry);
    if (decision.action === "dead-letter") return deadLetter(d, { log, traceparent, startedAt, error: f.error, eventId });
    stats.retried++;
    metrics.outcome("retried");
    attempts.failed(`${d.stream}:${d.seq}`, startedAt, f.error);
    log.warn("delivery failed; will retry", { error: f.error, retry_in_ms: decision.delayMs, event_id: eventId });
    await settleQuietly("nak", log, () => d.nak(decision.delayMs));
  };

  /** Steps 2–4 for a valid event: skip if processed, claim across replicas, send, record; returns the failure, if any. */
  const processEvent = async (d: Delivery, log: Logger, event: OrderEvent, trace: TraceContext, traceparent: string): Promise<Failure | undefined> => {
    try {
      const claim = await claims.acquire(event.id, () => d.working());
      if (claim === "done") {
        stats.duplicates++;
        metrics.outcome("duplicate");
        log.debug("already processed; acknowledging", { event_id: event.id });
        return undefined;
      }
      if (claim === "busy") return { permanent: false, error: "another replica still holds this event's claim" };
      const n = renderNotification(event);
      await opts.channel.send(n, { traceparent, log });
      const result = await recorder.submit({
        id: newId(),
        eventId: event.id,
        customerId: n.customerId,
        orderId: n.orderId,
        type: n.type,
        title: n.title,
        message: n.message,
        channel: opts.channel.name,
        eventTime: event.time,
        deliveryAttempts: d.deliveryCount,
        traceId: trace.parentSpanId ? trace.traceId : null,
      });
      if (result.status === "failed") throw result.error;
      if (result.status === "duplicate") {
        stats.duplicates++;
        metrics.outcome("duplicate");
      } else {
        stats.processed++;
        metrics.outcome("processed");
      }
      return undefined;
    } catch (err) {
      // Not recorded: let another replica take the event at once rather than wait out this claim.
      await claims.release(event.id);
      return classify(err);
    }
  };

  const handle = async (d: Delivery) => {
    const startedAt = Date.now();
    // Tracing on: the consumer span the transport opened for this delivery (child of the producer span).
    const trace = currentTrace(tracing, header(d.headers, "traceparent"), header(d.headers, "tracestate"));
    const traceparent = formatTraceparent(trace);
    const log = opts.log.child({ trace_id: trace.traceId, span_id: trace.spanId, stream: d.stream, seq: d.seq, subject: d.subject, delivery: d.deliveryCount });
    const key = `${d.stream}:${d.seq}`;

    const decoded = decodeEvent(d.data);
    // Past the processing limit: only deliveries whose dead-lettering failed, or whose last attempt never settled, get here.
    if (d.deliveryCount > opts.maxDeliver) {
      const error =
        attempts.get(key)?.lastError ?? `delivered ${d.deliveryCount} times, more than the ${opts.maxDeliver} allowed (an earlier attempt never settled)`;
      return deadLetter(d, { log, traceparent, startedAt, error, eventId: decoded.ok ? decoded.event.id : decoded.eventId });
    }
    if (!decoded.ok) return deadLetter(d, { log, traceparent, startedAt, error: decoded.error, eventId: decoded.eventId });
    const event = decoded.event;

    const failure = await turns.run(event.id, () => processEvent(d, log, event, trace, traceparent));
    if (failure) return fail(d, log, traceparent, startedAt, failure, event.id);
    // Only now, after COMMIT: the double ack waits for the broker's confirmation.
    attempts.forget(key);
    await settleQuietly("acknowledge", log, () => d.ack());
    log.debug("event processed", { event_id: event.id });
  };

  return {
    stats,
    async handle(d) {
      const started = performance.now();
      if (d.deliveryCount > 1) metrics.redelivery();
      try {
        await handle(d);
      } catch (err) {
        metrics.outcome("error");
        // A bug, not a failure of the message: leave it to ack_wait rather than risk settling it wrongly.
        opts.log.error("delivery handler failed unexpectedly", { stream: d.stream, seq: d.seq, error: err instanceof Error ? err.message : String(err) });
      }
      metrics.handled((performance.now() - started) / 1000);
    },
  };
}
