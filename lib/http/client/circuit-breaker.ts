// Circuit breaker per upstream: closed → open on failures, open → half-open probes after a pause, back to closed on success.

export type CircuitState = "closed" | "open" | "half_open";

export interface CircuitBreakerOptions {
  name: string;
  /** Consecutive failures that open the circuit (default 5). */
  failureThreshold?: number;
  /** Failure ratio over the last `windowSize` outcomes that opens it (default 0.5), once `minimumCalls` were seen. */
  failureRateThreshold?: number;
  windowSize?: number;
  minimumCalls?: number;
  /** How long the circuit stays open before probing (default 5 s); doubles after each failed probe up to `maxOpenMs`. */
  openMs?: number;
  maxOpenMs?: number;
  /** Probe calls allowed at once while half-open (default 1), and successes needed to close (default 1). */
  halfOpenMaxProbes?: number;
  halfOpenSuccesses?: number;
  now?: () => number;
  onStateChange?: (change: { name: string; from: CircuitState; to: CircuitState }) => void;
}

/** What `acquire` hands out: a call to make (normal or probe) or a refusal. Plain numbers, so the hot path allocates nothing. */
export const REJECTED = 0;
export const CALL = 1;
export const PROBE = 2;
export type Permit = typeof REJECTED | typeof CALL | typeof PROBE;

export interface CircuitSnapshot {
  name: string;
  state: CircuitState;
  consecutiveFailures: number;
  /** Failures / outcomes in the current window. */
  failureRate: number;
  /** Times the circuit opened since start. */
  opens: number;
  /** Calls refused while open (or half-open with every probe slot taken). */
  rejected: number;
}

export interface CircuitBreaker {
  readonly name: string;
  state(): CircuitState;
  acquire(): Permit;
  /** Reports how a permitted call ended; "ignore" for outcomes that say nothing about the upstream (client went away). */
  release(permit: Permit, outcome: "success" | "failure" | "ignore"): void;
  /** While open: milliseconds until the next probe may go out. */
  retryAfterMs(): number;
  snapshot(): CircuitSnapshot;
}

export function createCircuitBreaker(opts: CircuitBreakerOptions): CircuitBreaker {
  const failureThreshold = opts.failureThreshold ?? 5;
  const rateThreshold = opts.failureRateThreshold ?? 0.5;
  const windowSize = opts.windowSize ?? 20;
  const minimumCalls = opts.minimumCalls ?? 10;
  const baseOpenMs = opts.openMs ?? 5_000;
  const maxOpenMs = opts.maxOpenMs ?? 60_000;
  const maxProbes = opts.halfOpenMaxProbes ?? 1;
  const successesToClose = opts.halfOpenSuccesses ?? 1;
  const now = opts.now ?? Date.now;

  let state: CircuitState = "closed";
  let consecutive = 0;
  // Ring of the last outcomes (1 = failure), with running totals so each call is O(1).
  const ring = new Uint8Array(windowSize);
  let ringPos = 0;
  let ringCount = 0;
  let ringFailures = 0;
  let openUntil = 0;
  let openMs = baseOpenMs;
  let probesInFlight = 0;
  let probeSuccesses = 0;
  let opens = 0;
  let rejected = 0;

  const transition = (to: CircuitState) => {
    const from = state;
    if (from === to) return;
    state = to;
    opts.onStateChange?.({ name: opts.name, from, to });
  };

  const resetWindow = () => {
    ring.fill(0);
    ringPos = 0;
    ringCount = 0;
    ringFailures = 0;
    consecutive = 0;
  };

  const open = () => {
    openUntil = now() + openMs;
    probesInFlight = 0;
    probeSuccesses = 0;
    opens++;
    transition("open");
  };

  const record = (failed: boolean) => {
    const bit = failed ? 1 : 0;
    if (ringCount === windowSize) ringFailures -= ring[ringPos] ?? 0;
    else ringCount++;
    ring[ringPos] = bit;
    ringFailures += bit;
    ringPos = (ringPos + 1) % windowSize;
    consecutive = failed ? consecutive + 1 : 0;
  };

  const currentState = (): CircuitState => {
    if (state === "open" && now() >= openUntil) transition("half_open");
    return state;
  };

  return {
    name: opts.name,
    state: currentState,
    acquire() {
      const s = currentState();
      if (s === "closed") return CALL;
      if (s === "half_open" && probesInFlight < maxProbes) {
        probesInFlight++;
        return PROBE;
      }
      rejected++;
      return REJECTED;
    },
    release(permit, outcome) {
      if (permit === REJECTED) return;
      if (permit === PROBE) {
        probesInFlight = Math.max(0, probesInFlight - 1);
        if (state !== "half_open" || outcome === "ignore") return;
        if (outcome === "failure") {
          openMs = Math.min(openMs * 2, maxOpenMs);
          open();
          return;
        }
        if (++probeSuccesses >= successesToClose) {
          openMs = baseOpenMs;
          resetWindow();
          transition("closed");
        }
        return;
      }
      // A call that started while closed: it counts only while we are still closed.
      if (state !== "closed" || outcome === "ignore") return;
      record(outcome === "failure");
      if (outcome === "failure" && (consecutive >= failureThreshold || (ringCount >= minimumCalls && ringFailures / ringCount >= rateThreshold))) open();
    },
    retryAfterMs: () => (currentState() === "open" ? Math.max(0, openUntil - now()) : 0),
    snapshot: () => ({
      name: opts.name,
      state: currentState(),
      consecutiveFailures: consecutive,
      failureRate: ringCount === 0 ? 0 : ringFailures / ringCount,
      opens,
      rejected,
    }),
  };
}

/** Numeric encoding for metrics: 0 closed, 1 half-open, 2 open. */
export function circuitStateValue(state: CircuitState): number {
  return state === "closed" ? 0 : state === "half_open" ? 1 : 2;
}
