// Token buckets shared by every gateway replica in a NATS KV bucket: read, refill, compare-and-set by revision.
import type { KV } from "@nats-io/kv";
import type { Logger } from "../../../lib/logging/logger.ts";
import type { RateLimiter } from "./limiter.ts";
import type { RatePolicy } from "./policies.ts";

export interface NatsKvLimiterOptions {
  kv: KV;
  /** Used when NATS is unreachable, so an outage degrades to per-replica limits instead of failing requests. */
  fallback: RateLimiter;
  log: Logger;
  now?: () => number;
  /** Compare-and-set attempts when other replicas keep writing first (default 8). */
  maxAttempts?: number;
}

/** How long a take waits for a bucket's new leader after a node loss before using the replica's own bucket. */
const FAILOVER_WAIT_MS = 2_000;
const LEADER_MISSING = /no responders|jetstream is not enabled|503/i;

/** KV keys allow only [-/_=.a-zA-Z0-9]: subjects are base64url-encoded, which stays inside that set. */
function keyOf(group: string, subject: string): string {
  const bytes = new TextEncoder().encode(subject);
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return `${group}.${btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")}`;
}

/** The KV bucket's options: one value per key, and keys left idle past `ttlMs` expire on the server (bounded storage). */
export function rateLimitBucketOptions(policies: readonly RatePolicy[]) {
  const slowestRefillMs = Math.max(...policies.map((p) => (p.burst / p.ratePerSecond) * 1000));
  return { history: 1, ttl: Math.max(60_000, Math.ceil(2 * slowestRefillMs)) };
}

export function createNatsKvRateLimiter(policy: RatePolicy, opts: NatsKvLimiterOptions): RateLimiter {
  const now = opts.now ?? Date.now;
  const perMs = policy.ratePerSecond / 1000;
  const maxAttempts = opts.maxAttempts ?? 8;
  // One compare-and-set per key at a time in this replica, so contention is only ever between replicas.
  const queues = new Map<string, Promise<unknown>>();
  const decoder = new TextDecoder();
  let warnedAt = 0;

  const takeShared = async (key: string): Promise<number> => {
    const k = keyOf(policy.group, key);
    const failoverDeadline = now() + FAILOVER_WAIT_MS;
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      const entry = await opts.kv.get(k);
      const t = now();
      let tokens = policy.burst;
      const live = entry !== null && entry.operation === "PUT";
      if (live) {
        const [storedTokens, storedAt] = decoder.decode(entry.value).split(",").map(Number);
        if (Number.isFinite(storedTokens) && Number.isFinite(storedAt)) {
          tokens = Math.min(policy.burst, (storedTokens as number) + Math.max(0, t - (storedAt as number)) * perMs);
        }
      }
      // A refusal changes nothing that the next reader cannot recompute, so it writes nothing.
      if (tokens < 1) return -Math.ceil((1 - tokens) / perMs);
      const value = `${tokens - 1},${t}`;
      try {
        if (live) await opts.kv.update(k, value, entry.revision);
        else await opts.kv.create(k, value);
        return tokens - 1;
      } catch (err) {
        const message = (err as Error).message;
        // The bucket's leader is being replaced (no responders, reported as "jetstream is not enabled"): wait it out
        // briefly, so a node loss keeps the shared budget instead of falling back to per-replica buckets.
        if (LEADER_MISSING.test(message) && now() < failoverDeadline) {
          attempt--;
          await new Promise((r) => setTimeout(r, 100));
          continue;
        }
        // Another replica wrote first (wrong last sequence / key exists): read again and retry.
        if (!/wrong last sequence|exists/i.test(message)) throw err;
        await new Promise((r) => setTimeout(r, Math.random() * 2 * (attempt + 1)));
      }
    }
    throw new Error(`rate limit key ${k}: too much contention`);
  };

  return {
    policy,
    size: () => opts.fallback.size(),
    async take(key) {
      const previous = queues.get(key);
      const mine = (previous ?? Promise.resolve()).then(() => takeShared(key));
      const settled = mine.catch(() => {});
      queues.set(key, settled);
      try {
        return await mine;
      } catch (err) {
        if (now() - warnedAt > 10_000) {
          warnedAt = now();
          opts.log.warn("shared rate limit store failed; using this replica's buckets", { group: policy.group, err: (err as Error).message });
        }
        return opts.fallback.take(key);
      } finally {
        if (queues.get(key) === settled) queues.delete(key);
      }
    },
  };
}
