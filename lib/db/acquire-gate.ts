// A counting semaphore with a bounded wait: at most `size` holders, first come first served; a waiter that gets no place in time is refused.

export interface AcquireGate {
  readonly size: number;
  /** Places held now (≤ size). */
  inUse(): number;
  /** Callers queued for a place. */
  waiting(): number;
  /**
   * Takes a place: `granted` runs at once (synchronously) when one is free, otherwise when one is released; its
   * argument gives the place back (calling it again does nothing). When no place came within the wait, `timedOut`
   * runs instead and `granted` never does.
   */
  acquire(granted: (release: () => void) => void, timedOut: () => void): void;
}

interface Waiter {
  granted: (release: () => void) => void;
  timer?: ReturnType<typeof setTimeout>;
}

/** `maxWaitMs` 0 waits without limit. */
export function createAcquireGate(size: number, maxWaitMs: number): AcquireGate {
  let held = 0;
  const queue: Waiter[] = [];

  const releaser = () => {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      held--;
      // Hand the place straight to the next waiter, so a new caller cannot overtake the queue.
      const next = queue.shift();
      if (!next) return;
      if (next.timer) clearTimeout(next.timer);
      held++;
      next.granted(releaser());
    };
  };

  return {
    size,
    inUse: () => held,
    waiting: () => queue.length,
    acquire(granted, timedOut) {
      if (held < size && queue.length === 0) {
        held++;
        granted(releaser());
        return;
      }
      const waiter: Waiter = { granted };
      if (maxWaitMs > 0)
        waiter.timer = setTimeout(() => {
          const i = queue.indexOf(waiter);
          if (i < 0) return;
          queue.splice(i, 1);
          timedOut();
        }, maxWaitMs);
      queue.push(waiter);
    },
  };
}
