import { expect, test } from "bun:test";
import { continueTrace } from "./trace-context.ts";

test("continues a valid traceparent with a fresh span; starts a new trace otherwise; ids are random hex", () => {
  const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
  const ctx = continueTrace(`00-${traceId}-00f067aa0ba902b7-01`, "k=v");
  expect(ctx).toMatchObject({ traceId, parentSpanId: "00f067aa0ba902b7", sampled: true, tracestate: "k=v" });
  expect(ctx.spanId).toMatch(/^[0-9a-f]{16}$/);
  const fresh = continueTrace("garbage", null);
  expect(fresh.traceId).toMatch(/^[0-9a-f]{32}$/);
  expect(fresh.parentSpanId).toBeUndefined();
  const ids = new Set(Array.from({ length: 5_000 }, () => continueTrace(null, null).spanId)); // crosses several pool refills
  expect(ids.size).toBe(5_000);
});
