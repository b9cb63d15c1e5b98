import { expect, test } from "bun:test";
import { createLogger } from "./logger.ts";
import { createRequestLineWriter, loggerRequestLine } from "./request-line.ts";

const at = Date.parse("2026-01-02T03:04:05.678Z");
const line = {
  requestId: "req-1",
  traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
  spanId: "00f067aa0ba902b7",
  method: "POST",
  route: "/v1/models/:model/infer",
  status: 200,
  durationMs: 0.123,
};
const asLogger = (fields: Record<string, unknown> = {}) => ({
  request_id: line.requestId,
  trace_id: line.traceId,
  span_id: line.spanId,
  method: line.method,
  route: line.route,
  status: line.status,
  duration_ms: line.durationMs,
  ...fields,
});

for (const [name, level, fields] of [
  ["no fields", "info", undefined],
  ["empty fields", "info", {}],
  ["the service's fields, at error", "error", { model: "lang-id", backend: "a:1", input_tokens: 12, estimated: true, stream_error: 'say "no"' }],
] as const) {
  test(`${name}: the line (direct, or through a Logger) is exactly what the platform logger writes`, () => {
    const lines: string[] = [];
    createLogger({ service: "inference", sink: (l) => lines.push(l), now: () => new Date(at) })[level]("request", asLogger(fields));
    createRequestLineWriter(
      "inference",
      (l) => lines.push(l),
      () => at,
    )(level, line, fields);
    expect(lines[1]).toBe(lines[0] as string);
    expect(JSON.parse(lines[1] as string)).toMatchObject({ time: "2026-01-02T03:04:05.678Z", level });
  });
}
