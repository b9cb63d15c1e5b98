// The rate limiter contract shared by the in-memory and NATS KV token buckets.
import type { RatePolicy } from "./policies.ts";

/**
 * Takes one token for `key`. A result ≥ 0 admits the request and is the tokens left; a result < 0 refuses it and
 * is minus the milliseconds until a token is available. Plain numbers keep the hot path free of allocations.
 */
export interface RateLimiter {
  readonly policy: RatePolicy;
  take(key: string): number | Promise<number>;
  /** Buckets held in memory (for metrics). */
  size(): number;
}
