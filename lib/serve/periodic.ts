// Runs a background job every interval, never overlapping itself; stop() waits for the run in progress.
import type { Logger } from "../logging/logger.ts";

export interface PeriodicJob {
  /** Runs the job now (awaiting a run in progress first). */
  runNow(): Promise<void>;
  stop(): Promise<void>;
}

export function startPeriodic(name: string, intervalMs: number, job: () => Promise<void>, log: Logger): PeriodicJob {
  let current: Promise<void> = Promise.resolve();
  const run = () => {
    current = current.then(job).catch((err) => log.warn(`${name} failed`, { error: err instanceof Error ? err.message : String(err) }));
    return current;
  };
  const timer = setInterval(run, intervalMs);
  return {
    runNow: run,
    async stop() {
      clearInterval(timer);
      await current;
    },
  };
}

/** Repeats a batch operation until a batch comes back short, returning the total. */
export async function drainInBatches(batch: number, step: (limit: number) => Promise<number>): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await step(batch);
    total += n;
    if (n < batch) return total;
  }
}
