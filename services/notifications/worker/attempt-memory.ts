// Remembers failed attempts per message (first attempt time, last error) for its dead letter; bounded, best effort, free for successes.

export interface AttemptInfo {
  firstAttemptAt: Date;
  lastError?: string;
}

export interface AttemptMemory {
  /** Records a failed attempt that started at `startedAt` (the first one recorded keeps its time). */
  failed(key: string, startedAt: number, error: string): void;
  get(key: string): AttemptInfo | undefined;
  forget(key: string): void;
  readonly size: number;
}

export function createAttemptMemory(maxEntries = 10_000): AttemptMemory {
  const entries = new Map<string, AttemptInfo>();
  return {
    failed(key, startedAt, error) {
      const info = entries.get(key);
      if (info) {
        info.lastError = error;
        return;
      }
      if (entries.size >= maxEntries) {
        const oldest = entries.keys().next().value;
        if (oldest !== undefined) entries.delete(oldest);
      }
      entries.set(key, { firstAttemptAt: new Date(startedAt), lastError: error });
    },
    get: (key) => entries.get(key),
    forget(key) {
      // Most messages never failed: skip the map entirely while it is empty.
      if (entries.size > 0) entries.delete(key);
    },
    get size() {
      return entries.size;
    },
  };
}
