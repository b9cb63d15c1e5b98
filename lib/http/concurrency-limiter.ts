// A concurrency limit with a bounded FIFO queue and a queue timeout: one per model, so a saturated model never slows another.

/** Why a caller was not admitted: the queue was full (→ 429), it waited too long (→ 503), or its signal aborted. */
export type LimiterRefusalReason = "queue_full" | "queue_timeout" | "aborted";

export interface LimiterGrant {
  ok: true;
  /** Frees the slot (or hands it to the next waiter). Idempotent: a second call does nothing. */
  release: () => void;
  /** Milliseconds spent queued (0 when admitted at once), for the queue-wait histogram. */
  waitedMs: number;
}

export interface LimiterRefusal {
  ok: false;
  reason: LimiterRefusalReason;
  /** Suggested Retry-After in whole seconds (≥ 1), from the recent hold time and the backlog ahead. */
  retryAfterSeconds: number;
  waitedMs: number;
}

export type LimiterResult = LimiterGrant | LimiterRefusal;

export interface LimiterStats {
  inFlight: number;
  queued: number;
  maxConcurrent: number;
  maxQueue: number;
  /** Totals since start: admitted (at once or after queueing), refused by reason. */
  admitted: number;
  queueFull: number;
  queueTimeout: number;
  aborted: number;
}

export interface ConcurrencyLimiter {
  /**
   * Takes a slot. Admitted at once when a slot is free and nobody waits (a plain value, no promise, so the hot path
   * allocates no microtask); otherwise a promise that settles when the slot is handed over, the queue times out or
   * `signal` aborts. It never rejects: refusals are values.
   */
  acquire(signal?: AbortSignal): LimiterResult | Promise<LimiterResult>;
  stats(): LimiterStats;
}

/** Timers are injectable so tests can step the queue timeout deterministically. */
export interface LimiterTimers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export interface ConcurrencyLimiterOptions {
  maxConcurrent: number;
  /** Callers allowed to wait; 0 refuses at once when every slot is taken. */
  maxQueue: number;
  /** Longest wait in the queue before a queue_timeout refusal. */
  queueTimeoutMs: number;
  now?: () => number;
  timers?: LimiterTimers;
}

interface Waiter {
  enqueuedAt: number;
  deadline: number;
  settle: (r: LimiterResult) => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  prev: Waiter | undefined;
  next: Waiter | undefined;
  linked: boolean;
}

const realTimers: LimiterTimers = { set: (fn, ms) => setTimeout(fn, ms), clear: (h) => clearTimeout(h as ReturnType<typeof setTimeout>) };
const HOLD_SMOOTHING = 0.2; // weight of the newest hold time in the moving average behind Retry-After
const MAX_RETRY_AFTER_S = 60;

export function createConcurrencyLimiter(opts: ConcurrencyLimiterOptions): ConcurrencyLimiter {
  const { maxConcurrent, maxQueue, queueTimeoutMs } = opts;
  if (!(Number.isInteger(maxConcurrent) && maxConcurrent >= 1)) throw new Error("maxConcurrent must be an integer ≥ 1");
  if (!(Number.isInteger(maxQueue) && maxQueue >= 0)) throw new Error("maxQueue must be an integer ≥ 0");
  if (!(queueTimeoutMs > 0)) throw new Error("queueTimeoutMs must be > 0");
  const now = opts.now ?? (() => performance.now());
  const timers = opts.timers ?? realTimers;
  let inFlight = 0;
  let queued = 0;
  // A doubly-linked FIFO: an aborted waiter is unlinked in O(1), so it stops counting against maxQueue at once.
  let head: Waiter | undefined;
  let tail: Waiter | undefined;
  // Every waiter has the same timeout, so deadlines grow along the queue: one timer, armed for the head, is enough.
  let timer: unknown;
  let timerDeadline = Number.POSITIVE_INFINITY;
  let avgHoldMs = 0;
  const totals = { admitted: 0, queueFull: 0, queueTimeout: 0, aborted: 0 };

  const retryAfterSeconds = (): number => {
    // Time for the backlog ahead (plus this caller) to drain through the slots, at the recent hold time.
    const drainMs = (avgHoldMs * (queued + 1)) / maxConcurrent;
    return Math.min(MAX_RETRY_AFTER_S, Math.max(1, Math.ceil(Math.min(drainMs, queueTimeoutMs + avgHoldMs) / 1000)));
  };

  const unlink = (w: Waiter) => {
    if (!w.linked) return;
    w.linked = false;
    if (w.prev) w.prev.next = w.next;
    else head = w.next;
    if (w.next) w.next.prev = w.prev;
    else tail = w.prev;
    w.prev = w.next = undefined;
    queued--;
    if (w.signal && w.onAbort) w.signal.removeEventListener("abort", w.onAbort);
  };

  const grant = (startedAt: number, waitedMs: number): LimiterGrant => {
    totals.admitted++;
    let released = false;
    return {
      ok: true,
      waitedMs,
      release: () => {
        if (released) return;
        released = true;
        const t = now();
        avgHoldMs = avgHoldMs === 0 ? t - startedAt : avgHoldMs + HOLD_SMOOTHING * (t - startedAt - avgHoldMs);
        handOver(t);
      },
    };
  };

  // A freed slot goes straight to the oldest waiter, so a newcomer can never overtake the queue.
  const handOver = (t: number) => {
    const w = head;
    if (w === undefined) {
      inFlight--;
      return;
    }
    unlink(w);
    w.settle(grant(t, t - w.enqueuedAt));
    armTimer();
  };

  const expire = () => {
    timer = undefined;
    timerDeadline = Number.POSITIVE_INFINITY;
    const t = now();
    while (head !== undefined && head.deadline <= t) {
      const w = head;
      unlink(w);
      totals.queueTimeout++;
      w.settle({ ok: false, reason: "queue_timeout", retryAfterSeconds: retryAfterSeconds(), waitedMs: t - w.enqueuedAt });
    }
    armTimer();
  };

  const armTimer = () => {
    if (head === undefined) {
      if (timer !== undefined) timers.clear(timer);
      timer = undefined;
      timerDeadline = Number.POSITIVE_INFINITY;
      return;
    }
    if (head.deadline === timerDeadline) return;
    if (timer !== undefined) timers.clear(timer);
    timerDeadline = head.deadline;
    timer = timers.set(expire, Math.max(0, head.deadline - now()));
  };

  return {
    acquire(signal) {
      if (signal?.aborted) {
        totals.aborted++;
        return { ok: false, reason: "aborted", retryAfterSeconds: 1, waitedMs: 0 };
      }
      if (inFlight < maxConcurrent && head === undefined) {
        inFlight++;
        return grant(now(), 0);
      }
      if (queued >= maxQueue) {
        totals.queueFull++;
        return { ok: false, reason: "queue_full", retryAfterSeconds: retryAfterSeconds(), waitedMs: 0 };
      }
      return new Promise<LimiterResult>((resolve) => {
        const t = now();
        const w: Waiter = {
          enqueuedAt: t,
          deadline: t + queueTimeoutMs,
          settle: resolve,
          signal,
          onAbort: undefined,
          prev: tail,
          next: undefined,
          linked: true,
        };
        if (signal) {
          w.onAbort = () => {
            if (!w.linked) return;
            unlink(w);
            totals.aborted++;
            armTimer();
            resolve({ ok: false, reason: "aborted", retryAfterSeconds: 1, waitedMs: now() - w.enqueuedAt });
          };
          signal.addEventListener("abort", w.onAbort, { once: true });
        }
        if (tail) tail.next = w;
        else head = w;
        tail = w;
        queued++;
        armTimer();
      });
    },
    stats: () => ({ inFlight, queued, maxConcurrent, maxQueue, ...totals }),
  };
}
