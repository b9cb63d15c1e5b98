// The production log sink: newline-terminated lines on stdout without console.log's formatting overhead.
import type { LogSink } from "./logger.ts";

interface BunStdout {
  stdout: { writer(): { write(chunk: string): number; flush(): unknown } };
}

/**
 * On Bun, its own stdout writer: `process.stdout` is a Node stream, and creating it on the first line loads node:stream
 * and the fs streams (about 12 % of a compiled service's start CPU in its profile). Elsewhere (Deno), process.stdout.
 */
function createStdoutSink(): LogSink {
  const bun = (globalThis as { Bun?: BunStdout }).Bun;
  if (!bun) return (line) => void process.stdout.write(`${line}\n`);
  let writer: ReturnType<BunStdout["stdout"]["writer"]> | undefined;
  return (line) => {
    writer ??= bun.stdout.writer();
    writer.write(`${line}\n`);
    // Out now, not when Bun's buffer fills: a line is read as it happens, and a crash right after loses nothing.
    writer.flush();
  };
}

export const stdoutSink: LogSink = createStdoutSink();
