// Retry policy pieces: which methods may be retried (RFC 9110 idempotent methods) and capped exponential backoff with full jitter.

/** RFC 9110 §9.2.2: repeating these has the same effect as sending them once. */
const IDEMPOTENT = new Set(["GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"]);

export function isIdempotent(method: string): boolean {
  return IDEMPOTENT.has(method);
}

export interface BackoffOptions {
  /** Delay ceiling of the first retry (default 50 ms); doubles each retry. */
  baseMs?: number;
  /** No delay exceeds this (default 1 s). */
  capMs?: number;
  random?: () => number;
}

/**
 * Delay before retry number `attempt` (0-based): uniformly random in [0, min(cap, base·2^attempt)).
 * "Full jitter" spreads retries of many clients so they don't hit a recovering upstream in lockstep.
 */
export function backoffDelayMs(attempt: number, opts: BackoffOptions = {}): number {
  const base = opts.baseMs ?? 50;
  const cap = opts.capMs ?? 1_000;
  const ceiling = Math.min(cap, base * 2 ** Math.min(attempt, 30));
  return Math.floor((opts.random ?? Math.random)() * ceiling);
}
