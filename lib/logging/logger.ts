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

/** What every logger of one createLogger call shares; a child only adds its bound fields. */
interface Shared {
  min: number;
  sink: LogSink;
  now: () => Date;
  service: string;
  context: LogContext | undefined;
}

// A class rather than closures: a request-bound child is made per request, and a child here is one small object.
class JsonLogger implements Logger {
  constructor(
    private readonly shared: Shared,
    private readonly bound: Fields,
  ) {}

  private write(level: LogLevel, msg: string, fields?: Fields): void {
    const s = this.shared;
    if (RANK[level] < s.min) return;
    const line = {
      time: s.now().toISOString(),
      level,
      service: s.service,
      msg,
      ...this.bound,
      ...s.context?.(),
      ...(fields ? (redact(fields) as Fields) : undefined),
    };
    s.sink(JSON.stringify(line));
  }

  debug(msg: string, fields?: Fields): void {
    this.write("debug", msg, fields);
  }
  info(msg: string, fields?: Fields): void {
    this.write("info", msg, fields);
  }
  warn(msg: string, fields?: Fields): void {
    this.write("warn", msg, fields);
  }
  error(msg: string, fields?: Fields): void {
    this.write("error", msg, fields);
  }
  child(fields: Fields): Logger {
    return new JsonLogger(this.shared, { ...this.bound, ...(redact(fields) as Fields) });
  }
  enabled(level: LogLevel): boolean {
    return RANK[level] >= this.shared.min;
  }
}

export function createLogger(opts: LoggerOptions): Logger {
  return new JsonLogger(
    {
      min: RANK[opts.level ?? "info"],
      sink: opts.sink ?? consoleSink,
      now: opts.now ?? (() => new Date()),
      service: opts.service,
      // Unset (one check per line) when tracing is off.
      context: opts.context,
    },
    {},
  );
}

/** A logger that writes nothing, for tests and tools that do not care. */
export const silentLogger: Logger = createLogger({ service: "silent", level: "silent" });
