// Classifies a failed attempt (permanent or transient) and decides what happens to the message: redeliver later, or dead-letter.
import { type BackoffPolicy, backoffDelay } from "../../../lib/messaging/backoff.ts";
import { ChannelError } from "../channels/channel.ts";

export interface Failure {
  permanent: boolean;
  error: string;
  retryAfterMs?: number | undefined;
}

/** A failure that no retry can fix (invalid event, a value the database rejects). */
export class PermanentFailure extends Error {
  override name = "PermanentFailure";
}

// SQLSTATE classes that repeat on every retry: 22 data exception, 23 integrity constraint violation.
const PERMANENT_SQLSTATE = /^(22|23)/;

export function classify(err: unknown): Failure {
  const error = err instanceof Error ? err.message : String(err);
  if (err instanceof ChannelError) return { permanent: err.permanent, error, retryAfterMs: err.retryAfterMs };
  if (err instanceof PermanentFailure) return { permanent: true, error };
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) && PERMANENT_SQLSTATE.test(code))
    return { permanent: true, error: `database rejected the event (${code}): ${error}` };
  // Network, timeouts, 5xx, database unavailable, anything unknown: worth another try.
  return { permanent: false, error };
}

export type Decision = { action: "retry"; delayMs: number } | { action: "dead-letter"; reason: string };

/**
 * Permanent → dead-letter now. Transient → redeliver after a capped exponential backoff (at least
 * what the receiver asked for), unless this was the last allowed delivery.
 */
export function decide(f: Failure, deliveryCount: number, maxDeliver: number, policy: BackoffPolicy, random?: () => number): Decision {
  if (f.permanent) return { action: "dead-letter", reason: "permanent failure" };
  if (deliveryCount >= maxDeliver)
    return { action: "dead-letter", reason: `transient failure on the last allowed delivery (${deliveryCount} of ${maxDeliver})` };
  const delay = backoffDelay(deliveryCount, policy, random);
  return { action: "retry", delayMs: Math.min(Math.max(delay, f.retryAfterMs ?? 0), policy.maxMs) };
}
