import { expect, test } from "bun:test";
import { createLogger } from "../../lib/logging/logger.ts";
import { createAccessLogger } from "./access-log.ts";

test("the access line is exactly what the platform logger would write", () => {
  const lines: string[] = [];
  const at = Date.parse("2026-01-02T03:04:05.678Z");
  const fields = {
    request_id: "req-1",
    trace_id: "4bf92f3577b34da6a3ce929d0e0e4736",
    span_id: "00f067aa0ba902b7",
    method: "GET",
    route: "/v1/orders",
    upstream: "orders",
    status: 200,
    duration_ms: 0.123,
  };
  createLogger({ service: "gateway", sink: (l) => lines.push(l), now: () => new Date(at) }).info("request", fields);
  createAccessLogger(
    "gateway",
    (l) => lines.push(l),
    () => at,
  )({
    requestId: "req-1",
    traceId: fields.trace_id,
    spanId: fields.span_id,
    method: "GET",
    route: "/v1/orders",
    upstream: "orders",
    status: 200,
    durationMs: 0.123,
  });
  expect(lines[1]).toBe(lines[0] as string);
  expect(JSON.parse(lines[1] as string).time).toBe("2026-01-02T03:04:05.678Z");
});
