// Per-caller token budgets per model group: reserve prompt + max output before a call, settle to the real usage after it.
//
// Token bucket, not a sliding window: each (group, caller) holds one number and a timestamp, refilled continuously at
// tokensPerMinute / 60 s up to one minute's worth. Reservations and refunds are plain subtractions and additions, so a
// settlement that comes minutes later (a long stream) still lands correctly; a sliding window would have to find and
// rewrite the past slot the reservation was counted in. The wait until enough tokens are back is exact arithmetic,
// which gives Retry-After. Usage beyond the reservation is charged too and may leave the bucket in debt, so a caller
// can never get more than its rate over time, whatever its streams turned out to cost.

export interface BudgetPolicy {
  /** The model group; also the `RateLimit-Policy` name (with a `-tokens` suffix). */
  group: string;
  tokensPerMinute: number;
}

/** What a reservation holds; hand it back to `settle` exactly once (a second settle is ignored). */
export interface Reservation {
  readonly group: string;
  readonly tokens: number;
}

/** The bucket after a decision, for the RateLimit headers. */
export interface BudgetState {
  policy: BudgetPolicy;
  /** Whole tokens left now (0 when in debt). */
  remaining: number;
  /** Seconds until the bucket is full again. */
  resetSeconds: number;
}

export type ReserveResult =
  | { ok: true; reservation: Reservation; state: BudgetState | undefined }
  | {
      ok: false;
      /** over_budget: wait retryAfterSeconds; exceeds_limit: the request alone needs more than a minute's budget. */
      reason: "over_budget" | "exceeds_limit";
      retryAfterSeconds: number;
      state: BudgetState;
    };

export interface TokenBudget {
  /** Whether `group` has a policy (a reservation there needs the call's token estimate). */
  limits(group: string): boolean;
  /** Reserves `tokens` for `caller` in `group`; a group without a policy is unlimited (ok, no state). */
  reserve(caller: string, group: string, tokens: number): ReserveResult;
  /** Charges the real usage: refunds what was reserved but not used, or charges the excess. */
  settle(reservation: Reservation, actualTokens: number): void;
  /** Buckets held in memory (for metrics). */
  size(): number;
}

export interface TokenBudgetOptions {
  policies: readonly BudgetPolicy[];
  /** Hard cap on buckets (default 100,000): past it idle ones go first, then the oldest. */
  maxBuckets?: number;
  now?: () => number;
}

interface Bucket {
  tokens: number;
  at: number;
  /** Reservations not settled yet: a bucket with any is never swept, or its settlement would be lost. */
  outstanding: number;
  readonly policy: BudgetPolicy;
}

interface HeldReservation extends Reservation {
  bucket: Bucket | undefined;
  settled: boolean;
}

const GROUP = /^[a-z][a-z0-9_-]*$/;
const MS_PER_MINUTE = 60_000;

export function createTokenBudget(opts: TokenBudgetOptions): TokenBudget {
  const policies = new Map<string, BudgetPolicy>();
  for (const p of opts.policies) {
    if (!GROUP.test(p.group)) throw new Error(`token budget group "${p.group}" must match ${GROUP}`);
    if (!(Number.isInteger(p.tokensPerMinute) && p.tokensPerMinute > 0))
      throw new Error(`token budget "${p.group}": tokensPerMinute must be a positive integer`);
    policies.set(p.group, p);
  }
  const now = opts.now ?? Date.now;
  const maxBuckets = opts.maxBuckets ?? 100_000;
  const buckets = new Map<string, Bucket>();
  let lastSweep = now();

  const refill = (b: Bucket, t: number) => {
    if (t > b.at) {
      b.tokens = Math.min(b.policy.tokensPerMinute, b.tokens + ((t - b.at) * b.policy.tokensPerMinute) / MS_PER_MINUTE);
      b.at = t;
    }
  };
  const stateOf = (b: Bucket): BudgetState => ({
    policy: b.policy,
    remaining: Math.max(0, Math.floor(b.tokens)),
    resetSeconds: Math.ceil(((b.policy.tokensPerMinute - b.tokens) * MS_PER_MINUTE) / b.policy.tokensPerMinute / 1000),
  });

  // An idle bucket (full, nothing outstanding) is the same as no bucket, so it can go.
  const sweep = (t: number) => {
    lastSweep = t;
    for (const [key, b] of buckets) {
      refill(b, t);
      if (b.outstanding === 0 && b.tokens >= b.policy.tokensPerMinute) buckets.delete(key);
    }
  };
  const makeRoom = (t: number) => {
    if (t - lastSweep >= 1_000) sweep(t); // at most once a second, or a flood of new callers would sweep every time
    // Still full of active callers: drop the oldest 10 % without reservations in flight (they restart full: bounded leniency).
    let drop = buckets.size >= maxBuckets ? Math.max(1, Math.floor(maxBuckets / 10)) : 0;
    for (const [key, b] of buckets) {
      if (drop === 0) break;
      if (b.outstanding > 0) continue;
      buckets.delete(key);
      drop--;
    }
  };

  return {
    limits: (group) => policies.has(group),
    reserve(caller, group, tokens) {
      const policy = policies.get(group);
      if (policy === undefined) return { ok: true, reservation: { group, tokens, bucket: undefined, settled: false } as HeldReservation, state: undefined };
      const t = now();
      if (t - lastSweep >= MS_PER_MINUTE) sweep(t);
      const key = `${group}\u0000${caller}`;
      let b = buckets.get(key);
      if (b === undefined) {
        if (buckets.size >= maxBuckets) makeRoom(t);
        b = { tokens: policy.tokensPerMinute, at: t, outstanding: 0, policy };
        buckets.set(key, b);
      } else refill(b, t);
      const need = Math.max(0, Math.ceil(tokens));
      if (need > policy.tokensPerMinute) return { ok: false, reason: "exceeds_limit", retryAfterSeconds: 0, state: stateOf(b) };
      if (b.tokens < need) {
        const waitMs = ((need - b.tokens) * MS_PER_MINUTE) / policy.tokensPerMinute;
        return { ok: false, reason: "over_budget", retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)), state: stateOf(b) };
      }
      b.tokens -= need;
      b.outstanding++;
      const reservation: HeldReservation = { group, tokens: need, bucket: b, settled: false };
      return { ok: true, reservation, state: stateOf(b) };
    },
    settle(reservation, actualTokens) {
      const r = reservation as HeldReservation;
      if (r.settled) return;
      r.settled = true;
      const b = r.bucket;
      if (b === undefined) return;
      b.outstanding--;
      refill(b, now());
      const used = Math.max(0, Math.ceil(actualTokens));
      b.tokens = Math.min(b.policy.tokensPerMinute, b.tokens + r.tokens - used);
    },
    size: () => buckets.size,
  };
}
