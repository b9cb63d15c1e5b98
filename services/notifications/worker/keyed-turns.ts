// Per-key turn taking: work on one key runs one at a time, in arrival order; free (no promise) when a key is not contended.

export interface KeyedTurns {
  /** Waits for the key's earlier holders to finish, runs `fn`, then hands the key to the next waiter. */
  run<T>(key: string, fn: () => Promise<T>): Promise<T>;
  /** Keys held or waited for right now. */
  readonly size: number;
}

export function createKeyedTurns(): KeyedTurns {
  // key → resolvers of those waiting behind the current holder (an empty array: held, nobody waiting)
  const queues = new Map<string, (() => void)[]>();
  return {
    async run(key, fn) {
      const waiting = queues.get(key);
      if (waiting) await new Promise<void>((resolve) => waiting.push(resolve));
      else queues.set(key, []);
      try {
        return await fn();
      } finally {
        const q = queues.get(key);
        const next = q?.shift();
        if (next) next();
        else queues.delete(key);
      }
    },
    get size() {
      return queues.size;
    },
  };
}
