// Dead-letters a delivery: stores the full message in the DLQ stream (waiting for the PubAck), THEN terminates it; else redelivers it.
import type { Logger } from "../../../lib/logging/logger.ts";
import { type BackoffPolicy, backoffDelay } from "../../../lib/messaging/backoff.ts";
import { deadLetterSubject } from "../../../lib/messaging/topology.ts";
import { type Delivery, PermanentPublishError, type Transport } from "../../../lib/messaging/types.ts";
import { buildDeadLetter, type DeadLetterDocument, deadLetterMessageId, truncateDeadLetter } from "../dead-letters/document.ts";
import type { AttemptMemory } from "./attempt-memory.ts";
import { settleQuietly } from "./settle.ts";
import type { WorkerMetrics } from "./worker-metrics.ts";

export interface DeadLettererOptions {
  consumer: string;
  transport: Transport;
  retry: BackoffPolicy;
  attempts: AttemptMemory;
  stats: { deadLettered: number; deadLetterFailures: number };
  metrics: WorkerMetrics;
  now: () => Date;
  timeoutMs?: number;
}

export interface DeadLetterRequest {
  log: Logger;
  /** The worker's span for this message, carried on the dead letter. */
  traceparent: string;
  /** When this delivery's handling began (ms since the epoch). */
  startedAt: number;
  error: string;
  eventId?: string | undefined;
}

const enc = new TextEncoder();

export function createDeadLetterer(o: DeadLettererOptions): (d: Delivery, r: DeadLetterRequest) => Promise<void> {
  return async (d, { log, traceparent, startedAt, error, eventId }) => {
    const key = `${d.stream}:${d.seq}`;
    const firstAttemptAt = o.attempts.get(key)?.firstAttemptAt ?? (d.deliveryCount === 1 ? new Date(startedAt) : undefined);
    const doc = buildDeadLetter(d, { consumer: o.consumer, error, eventId, firstAttemptAt, deadAt: o.now() });
    const subject = deadLetterSubject(o.consumer, d.subject);
    // The same id for every attempt at this message: after a crash between publish and term, the broker drops the repeat.
    const id = deadLetterMessageId(o.consumer, d.stream, d.seq);
    const store = (document: DeadLetterDocument) =>
      o.transport.publish({ subject, id, data: enc.encode(JSON.stringify(document)), headers: { traceparent } }, { timeoutMs: o.timeoutMs ?? 5_000 });
    try {
      try {
        await store(doc);
      } catch (err) {
        if (!(err instanceof PermanentPublishError)) throw err;
        // Too large for the broker: keep the start of the payload; the original stays in its stream at d.seq.
        log.warn("dead letter too large; storing it with a truncated payload", { error: err.message, payload_chars: doc.payload.length });
        await store(truncateDeadLetter(doc));
      }
    } catch (err) {
      // Never terminate without a stored dead letter: redeliver, and try again then.
      o.stats.deadLetterFailures++;
      o.metrics.outcome("dead_letter_failed");
      o.attempts.failed(key, startedAt, error);
      const delay = backoffDelay(d.deliveryCount, o.retry);
      log.error("dead letter could not be stored; the message will be redelivered", {
        error,
        dlq_error: err instanceof Error ? err.message : String(err),
        retry_in_ms: delay,
      });
      await settleQuietly("nak", log, () => d.nak(delay));
      return;
    }
    o.stats.deadLettered++;
    o.metrics.outcome("dead_lettered");
    o.attempts.forget(key);
    log.error("message dead-lettered", { error, attempts: d.deliveryCount, dlq_subject: subject, event_id: eventId });
    await settleQuietly("terminate", log, () => d.term(error.slice(0, 200)));
  };
}
