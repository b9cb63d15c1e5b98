// Rate-limit policies per route group (`orders=50/s:100`), and their IETF RateLimit-Policy / RateLimit header values.

export interface RatePolicy {
  group: string;
  /** Sustained rate, tokens per second. */
  ratePerSecond: number;
  /** Bucket size: how many requests may arrive at once after a quiet period. */
  burst: number;
  /** Precomputed `RateLimit-Policy` value (draft-ietf-httpapi-ratelimit-headers): quota q per window w seconds. */
  policyHeader: string;
}

/** Route groups: one per upstream, plus `public` for the gateway's own unauthenticated pages (keyed by client IP). */
export const DEFAULT_RATE_LIMITS = "orders=50/s:100,notifications=20/s:40,inference=5/s:10,public=20/s:40";

const ITEM = /^([a-z][a-z0-9_-]*)=(\d+(?:\.\d+)?)\/(s|m|h)(?::(\d+))?$/;
const PER_SECOND = { s: 1, m: 1 / 60, h: 1 / 3600 } as const;

export function ratePolicy(group: string, ratePerSecond: number, burst: number): RatePolicy {
  const window = Math.max(1, Math.round(burst / ratePerSecond));
  return { group, ratePerSecond, burst, policyHeader: `"${group}";q=${burst};w=${window}` };
}

/** Parses `group=RATE/UNIT[:BURST]` items over the defaults; the burst defaults to one second's worth (at least 1). */
export function parseRateLimits(text: string): Record<string, RatePolicy> {
  const out: Record<string, RatePolicy> = {};
  const items = [...DEFAULT_RATE_LIMITS.split(","), ...text.split(",")].map((s) => s.trim()).filter(Boolean);
  for (const item of items) {
    const m = ITEM.exec(item);
    if (!m?.[1] || !m[2] || !m[3]) throw new Error(`"${item}" is not group=RATE/s|m|h[:BURST]`);
    const rate = Number(m[2]) * PER_SECOND[m[3] as keyof typeof PER_SECOND];
    const burst = m[4] ? Number(m[4]) : Math.max(1, Math.ceil(rate));
    if (!(rate > 0) || !(burst >= 1)) throw new Error(`"${item}": rate and burst must be positive`);
    out[m[1]] = ratePolicy(m[1], rate, burst);
  }
  return out;
}

/** `RateLimit` value for a bucket holding `tokens`: remaining r and seconds t until it is full again. */
export function rateLimitHeader(policy: RatePolicy, tokens: number): string {
  const r = Math.max(0, Math.floor(tokens));
  const t = Math.ceil((policy.burst - tokens) / policy.ratePerSecond);
  return `"${policy.group}";r=${r};t=${t}`;
}
