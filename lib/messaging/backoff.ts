// Capped exponential backoff with full jitter, shared by the relay, the worker and reconnect loops.

export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

/** A pause that `wake()` ends early (a retry loop being stopped). */
export function wakeableSleep(ms: number): { done: Promise<void>; wake(): void } {
  let wake: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    wake = () => {
      clearTimeout(timer);
      resolve();
    };
  });
  return { done, wake };
}

/** Delay before attempt `attempt` (1 = first retry): uniform in [base·2^(n-1) / 2, base·2^(n-1)], capped. */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const exp = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
  return Math.round(exp / 2 + random() * (exp / 2));
}
