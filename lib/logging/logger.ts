// Structured JSON-lines logger: one object per line with time, level, service, msg and bound fields.
import { redact } from "./redact.ts";

export const LOG_LEVELS = ["debug", "info", "warn", "error", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

export type Fields = Record<string, unknown>;
/** Where finished lines go; main.ts passes a buffered stdout writer, tests pass an array push. */
export type LogSink = (line: string) => void;

export interface Logger {
  debug(msg: string, fields?: Fields): void;
  info(msg: string, fields?: Fields): void;
  warn(msg: string, fields?: Fields): void;
  error(msg: string, fields?: Fields): void;
  /** A logger whose lines all carry `fields` (e.g. request_id, trace_id). */
  child(fields: Fields): Logger;
  enabled(level: LogLevel): boolean;
}

/** Fields of the current execution context, read per line (lib/telemetry's: the active span's trace_id and span_id). */
export type LogContext = () => Fields | undefined;

export interface LoggerOptions {
  service: string;
  level?: LogLevel;
  sink?: LogSink;
  now?: () => Date;
  /** Per-line context fields (from the tracing when it is on); they take the place of the same bound fields. */
  context?: LogContext | undefined;
}

const consoleSink: LogSink = (line) => console.log(line);

export function createLogger(opts: LoggerOptions): Logger {
  const min = RANK[opts.level ?? "info"];
  const sink = opts.sink ?? consoleSink;
  const now = opts.now ?? (() => new Date());
  // Unset (one check per line) when tracing is off.
  const contextFields = opts.context;

  const make = (bound: Fields): Logger => {
    const write = (level: LogLevel, msg: string, fields?: Fields) => {
      if (RANK[level] < min) return;
      const line = {
        time: now().toISOString(),
        level,
        service: opts.service,
        msg,
        ...bound,
        ...contextFields?.(),
        ...(fields ? (redact(fields) as Fields) : undefined),
      };
      sink(JSON.stringify(line));
    };
    return {
      debug: (m, f) => write("debug", m, f),
      info: (m, f) => write("info", m, f),
      warn: (m, f) => write("warn", m, f),
      error: (m, f) => write("error", m, f),
      child: (fields) => make({ ...bound, ...(redact(fields) as Fields) }),
      enabled: (level) => RANK[level] >= min,
    };
  };
  return make({});
}

/** A logger that writes nothing, for tests and tools that do not care. */
export const silentLogger: Logger = createLogger({ service: "silent", level: "silent" });
