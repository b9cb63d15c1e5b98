// The channel interface every delivery route implements (webhook, log), and the error that says whether to retry.
import type { Logger } from "../../../lib/logging/logger.ts";

/** What a channel delivers: derived from the event alone, so a redelivery sends exactly the same thing. */
export interface OutboundNotification {
  /** The event id: the Idempotency-Key, so receivers drop a repeat after a crash between send and commit. */
  eventId: string;
  type: string;
  customerId: string;
  orderId: string;
  title: string;
  message: string;
  occurredAt: string;
  data: unknown;
}

export interface SendContext {
  /** W3C traceparent of the worker's span for this message (continues the event's trace). */
  traceparent: string;
  /** Logger bound to the message (trace_id, event_id, …). */
  log: Logger;
}

export interface Channel {
  /** Stored on the notification record: "log", "webhook". */
  readonly name: string;
  /** Resolves once the outside world has the notification; throws ChannelError (anything else counts as transient). */
  send(n: OutboundNotification, ctx: SendContext): Promise<void>;
}

/** A failed delivery: permanent ones are dead-lettered at once, transient ones retried with backoff. */
export class ChannelError extends Error {
  override name = "ChannelError";
  readonly permanent: boolean;
  /** The receiver asked for at least this long before a retry (Retry-After). */
  readonly retryAfterMs: number | undefined;
  constructor(message: string, opts: { permanent: boolean; retryAfterMs?: number | undefined }) {
    super(message);
    this.permanent = opts.permanent;
    this.retryAfterMs = opts.retryAfterMs;
  }
}
