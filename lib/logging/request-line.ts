// The per-request access line written straight to the log sink: the JSON `log[level]("request", …)` writes, a fraction of the cost.
import type { Fields, Logger, LogSink } from "./logger.ts";

export interface RequestLine {
  /** Restricted to [A-Za-z0-9._:-] by requestIdFrom: the only value a client chooses. */
  requestId: string;
  traceId: string;
  spanId: string;
  method: string;
  route: string;
  status: number;
  durationMs: number;
}

/** `fields` come after duration_ms, as given: the service's own values (model, upstream, usage), not redacted. */
export type RequestLineWriter = (level: "info" | "error", line: RequestLine, fields?: Fields) => void;

/**
 * One line per request, exactly as `log[level]("request", { request_id, trace_id, span_id, method, route, status,
 * duration_ms, ...fields })` would write it. The general logger copies and redacts its fields and formats a fresh
 * timestamp per line; these fields are fixed and carry no secrets, and the timestamp is formatted once per
 * millisecond, which matters at ~20k lines/s. The caller decides whether the level is enabled.
 */
export function createRequestLineWriter(service: string, sink: LogSink, now: () => number = Date.now): RequestLineWriter {
  const head = `,"service":${JSON.stringify(service)},"msg":"request","request_id":"`;
  let iso = "";
  let isoAt = -1;
  return (level, e, fields) => {
    const t = now();
    if (t !== isoAt) {
      isoAt = t;
      iso = new Date(t).toISOString();
    }
    let extra = "";
    if (fields) {
      const json = JSON.stringify(fields);
      if (json.length > 2) extra = `,${json.slice(1, -1)}`;
    }
    sink(
      `{"time":"${iso}","level":"${level}"${head}${e.requestId}","trace_id":"${e.traceId}","span_id":"${e.spanId}","method":${JSON.stringify(e.method)},"route":${JSON.stringify(e.route)},"status":${e.status},"duration_ms":${e.durationMs}${extra}}`,
    );
  };
}

/** The same line through a Logger (tests, and processes without a sink of their own): slower, identical output. */
export function loggerRequestLine(log: Logger): RequestLineWriter {
  return (level, e, fields) =>
    log[level]("request", {
      request_id: e.requestId,
      trace_id: e.traceId,
      span_id: e.spanId,
      method: e.method,
      route: e.route,
      status: e.status,
      duration_ms: e.durationMs,
      ...fields,
    });
}
