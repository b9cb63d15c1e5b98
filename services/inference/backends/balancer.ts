// Least outstanding requests per weight across a pool, skipping backends that are unready, open, cooling down or full.
import type { Backend } from "./backend.ts";

export type Unavailable = { reason: "none_ready" | "all_open" | "all_busy" | "cooling"; retryAfterMs: number };

/** Whether a backend may take a call now (a half-open circuit counts: its breaker hands out the probe permit). */
export function eligible(b: Backend, now: number): boolean {
  return b.ready && b.coolUntil <= now && b.outstanding < b.spec.maxConcurrency && b.breaker.state() !== "open";
}

/**
 * The backend with the fewest calls in flight relative to its weight, not in `tried`; ties go round-robin from
 * `turn`, so equal backends share the load. When none is eligible, why (and how long until one might be).
 */
export function pickBackend(backends: readonly Backend[], tried: ReadonlySet<Backend>, now: number, turn: number): Backend | Unavailable {
  let best: Backend | undefined;
  let bestScore = Number.POSITIVE_INFINITY;
  const n = backends.length;
  for (let k = 0; k < n; k++) {
    const b = backends[(turn + k) % n] as Backend;
    if (tried.has(b) || !eligible(b, now)) continue;
    const score = (b.outstanding + 1) / b.spec.weight;
    if (score < bestScore) {
      best = b;
      bestScore = score;
    }
  }
  return (
    best ??
    unavailable(
      backends.filter((b) => !tried.has(b)),
      now,
    )
  );
}

function unavailable(rest: readonly Backend[], now: number): Unavailable {
  const cooling = rest.filter((b) => b.ready && b.coolUntil > now);
  if (cooling.length > 0) return { reason: "cooling", retryAfterMs: Math.min(...cooling.map((b) => b.coolUntil - now)) };
  const open = rest.filter((b) => b.ready && b.breaker.state() === "open");
  if (open.length > 0 && open.length === rest.filter((b) => b.ready).length)
    return { reason: "all_open", retryAfterMs: Math.min(...open.map((b) => b.breaker.retryAfterMs())) };
  if (rest.some((b) => b.ready)) return { reason: "all_busy", retryAfterMs: 1_000 };
  return { reason: "none_ready", retryAfterMs: 5_000 };
}
