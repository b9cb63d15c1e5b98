// A log sink that gathers lines and writes them in one call per few milliseconds: one syscall for many access-log lines.
import type { LogSink } from "./logger.ts";

export interface BatchedSink {
  sink: LogSink;
  /** Writes what is buffered now (call on shutdown and exit). */
  flush(): void;
}

/**
 * Lines are kept at most `maxDelayMs` (default 5) or until `maxLines` (default 256) are waiting. Under load a
 * request-per-line logger otherwise spends a large share of its time in write(2).
 */
export function createBatchedSink(write: LogSink, opts: { maxDelayMs?: number; maxLines?: number } = {}): BatchedSink {
  const maxDelayMs = opts.maxDelayMs ?? 5;
  const maxLines = opts.maxLines ?? 256;
  let lines: string[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;

  const flush = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (lines.length === 0) return;
    const out = lines.join("\n");
    lines = [];
    write(out);
  };

  return {
    flush,
    sink(line) {
      lines.push(line);
      if (lines.length >= maxLines) flush();
      else if (timer === undefined) {
        timer = setTimeout(flush, maxDelayMs);
        (timer as { unref?: () => void }).unref?.(); // a pending flush must not keep the process alive
      }
    },
  };
}
