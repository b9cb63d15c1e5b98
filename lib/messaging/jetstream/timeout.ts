// Bounded waits that clear their timers, so a finished wait never keeps the process alive.

/** Rejects with "<what> timed out after <ms> ms" when `p` has not settled in time. */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/** True when `p` fulfils within `ms`; false when it rejects or takes longer. */
export function fulfilsWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  return withTimeout(p, ms, "wait").then(
    () => true,
    () => false,
  );
}
