// The frame every service process shares after --version: parse env, logger with trace ids, tracing, then runEntrypoint.
import type { z } from "zod";
import { loadConfigOrExit } from "../config/env.ts";
import type { Closer } from "../lifecycle/closer.ts";
import { createBatchedSink } from "../logging/batched-sink.ts";
import { createLogger, type Logger, type LogLevel, type LogSink } from "../logging/logger.ts";
import { stdoutSink } from "../logging/stdout-sink.ts";
import type { Tracing } from "../telemetry/tracer.ts";
import { startTracingOrExit } from "../telemetry/tracing.ts";
import { VERSION } from "../version.ts";
import { runEntrypoint } from "./entrypoint.ts";
import type { StartingListener } from "./listen.ts";
import type { RunningService } from "./running-service.ts";

/** What every service's env schema has (commonEnv). */
interface ProcessConfig {
  LOG_LEVEL: LogLevel;
  DRAIN_DELAY_MS: number;
  SHUTDOWN_GRACE_MS: number;
}

export interface ServiceProcess<C> {
  cfg: C;
  log: Logger;
  /** Where log lines go (the access log of the gateway writes there too). */
  sink: LogSink;
  tracing: Tracing;
  /** Closers of what `start` opened, in opening order (closed in reverse on shutdown or a failed start). */
  opened: Closer[];
  /** Listening since main.ts (answering as a starting process) on cfg.PORT; the service serves on it once started. */
  listener?: StartingListener;
}

export interface RunServiceOptions<S extends z.ZodObject> {
  service: string;
  env: S;
  /** Batch log lines (one write per few milliseconds): for services that write a line per request or per event. */
  batchedLog?: boolean;
  /** main.ts's early listener (lib/serve/starting-listener.ts), when it could open one. */
  listener?: StartingListener | undefined;
  start: (p: ServiceProcess<z.infer<S>>) => Promise<RunningService>;
}

/** Exits 1 with one message listing every env problem; otherwise runs the service until a signal ends it. */
export async function runService<S extends z.ZodObject>(opts: RunServiceOptions<S>): Promise<void> {
  const cfg = loadConfigOrExit(opts.service, opts.env, process.env) as z.infer<S> & ProcessConfig & { PORT: number };
  // main.ts read PORT without the schema; should the two ever disagree, the start listens on the schema's port itself.
  let listener = opts.listener;
  if (listener && listener.port !== cfg.PORT) {
    void listener.stop(true);
    listener = undefined;
  }
  const output = opts.batchedLog ? createBatchedSink(stdoutSink) : undefined;
  if (output) process.on("exit", output.flush);
  const sink = output?.sink ?? stdoutSink;
  const logOptions = { service: opts.service, level: cfg.LOG_LEVEL, sink };
  // OTEL_* from the env; the tracing is passed to what makes spans, and its context to the logger (tracing's own lines need none).
  const tracing = await startTracingOrExit(opts.service, VERSION, process.env, { log: createLogger(logOptions) });
  const log = createLogger({ ...logOptions, context: tracing.logContext });
  runEntrypoint({
    log,
    drainDelayMs: cfg.DRAIN_DELAY_MS,
    graceMs: cfg.SHUTDOWN_GRACE_MS,
    // Spans after the connections are closed (so those of the shutdown are exported too), the log last.
    last: [tracing.closer, ...(output ? [{ name: "log", close: async () => output.flush() }] : [])],
    start: (opened) => opts.start({ cfg, log, sink, tracing, opened, listener }),
  });
}
