// In-memory token buckets for one route group, bounded: idle buckets (refilled to full) are dropped, and the count is capped.
import type { RateLimiter } from "./limiter.ts";
import type { RatePolicy } from "./policies.ts";

interface Bucket {
  tokens: number;
  at: number;
}

export interface MemoryLimiterOptions {
  /** Hard cap on buckets; past it the oldest are dropped (default 100,000). */
  maxBuckets?: number;
  now?: () => number;
}

export function createMemoryRateLimiter(policy: RatePolicy, opts: MemoryLimiterOptions = {}): RateLimiter {
  const maxBuckets = opts.maxBuckets ?? 100_000;
  const now = opts.now ?? Date.now;
  const perMs = policy.ratePerSecond / 1000;
  const burst = policy.burst;
  // A bucket that has refilled to full is the same as no bucket, so it can go; check about once per refill period.
  const sweepEveryMs = Math.min(60_000, Math.max(1_000, (burst / perMs) | 0));
  const buckets = new Map<string, Bucket>();
  let nextSweep = now() + sweepEveryMs;

  let lastSweep = now();
  const sweep = (t: number) => {
    nextSweep = t + sweepEveryMs;
    lastSweep = t;
    for (const [key, b] of buckets) if (b.tokens + (t - b.at) * perMs >= burst) buckets.delete(key);
  };

  const makeRoom = (t: number) => {
    if (t - lastSweep >= 1_000) sweep(t); // at most once a second, or a flood of new keys would sweep on every insert
    if (buckets.size < maxBuckets) return;
    // Still full of active buckets: drop the oldest 10 %. Their owners start again with a full bucket, a bounded leniency.
    let drop = Math.max(1, Math.floor(maxBuckets / 10));
    for (const key of buckets.keys()) {
      buckets.delete(key);
      if (--drop === 0) break;
    }
  };

  return {
    policy,
    size: () => buckets.size,
    take(key) {
      const t = now();
      if (t >= nextSweep) sweep(t);
      let b = buckets.get(key);
      if (b === undefined) {
        if (buckets.size >= maxBuckets) makeRoom(t);
        b = { tokens: burst, at: t };
        buckets.set(key, b);
      } else if (t > b.at) {
        b.tokens = Math.min(burst, b.tokens + (t - b.at) * perMs);
        b.at = t;
      }
      if (b.tokens >= 1) return --b.tokens;
      return -Math.ceil((1 - b.tokens) / perMs);
    },
  };
}
