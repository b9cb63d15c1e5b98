// The production log sink: newline-terminated lines on stdout without console.log's formatting overhead.
import type { LogSink } from "./logger.ts";

export const stdoutSink: LogSink = (line) => {
  process.stdout.write(`${line}\n`);
};
