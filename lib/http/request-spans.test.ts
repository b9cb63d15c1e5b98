// Server spans of the shared app factory: named by route template, continuing the caller's trace, ERROR on 5xx, ids in logs.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { createLogger } from "../logging/logger.ts";
import { installTestTracing, type TestTracing } from "../telemetry/testing.ts";
import type { AppEnv } from "./app-env.ts";
import { createServiceApp } from "./create-app.ts";

const TRACE = "0af7651916cd43dd8448eb211c80319c";
const PARENT = "b7ad6b7169203331";

describe("server spans (tracing on)", () => {
  let t: TestTracing;
  let app: OpenAPIHono<AppEnv>;
  const lines: Record<string, unknown>[] = [];
  const log = createLogger({ service: "test", level: "debug", sink: (l) => lines.push(JSON.parse(l)) });
  beforeAll(() => {
    t = installTestTracing();
    app = createServiceApp({ log, tracing: t });
    app.get("/v1/orders/:id", (c) => {
      c.get("log").info("handler says hi");
      return c.json({ id: c.req.param("id"), trace: c.get("trace") });
    });
    app.get("/healthz", (c) => c.text("ok"));
    app.get("/v1/boom", () => {
      throw new Error("kaput");
    });
  });
  afterAll(() => t.close());

  test("continues the caller's trace; named after the route template; handler logs and access log carry the span's ids", async () => {
    t.reset();
    lines.length = 0;
    const res = await app.request("/v1/orders/123", { headers: { traceparent: `00-${TRACE}-${PARENT}-01` } });
    expect(res.status).toBe(200);
    const [span] = t.spans();
    expect(span?.name).toBe("GET /v1/orders/:id");
    expect(span?.kind).toBe(SpanKind.SERVER);
    expect(span?.spanContext().traceId).toBe(TRACE);
    expect(span?.parentSpanContext?.spanId).toBe(PARENT);
    expect(span?.attributes["http.route"]).toBe("/v1/orders/:id");
    expect(span?.attributes["http.response.status_code"]).toBe(200);
    const body = await res.json();
    expect(body.trace).toMatchObject({ traceId: TRACE, spanId: span?.spanContext().spanId, parentSpanId: PARENT, sampled: true });
    expect(lines.map((l) => l.msg)).toEqual(["handler says hi", "request"]);
    for (const l of lines) expect(l).toMatchObject({ trace_id: TRACE, span_id: span?.spanContext().spanId });
  });

  test("an exception answered 500 makes the span an error; unmatched paths are named by method only", async () => {
    t.reset();
    expect((await app.request("/v1/boom")).status).toBe(500);
    expect((await app.request("/nowhere")).status).toBe(404);
    const [boom, nowhere] = t.spans();
    expect(boom?.name).toBe("GET /v1/boom");
    expect(boom?.status.code).toBe(SpanStatusCode.ERROR);
    expect(boom?.events.some((e) => e.name === "exception")).toBe(true);
    expect(nowhere?.name).toBe("GET");
    expect(nowhere?.status.code).toBe(SpanStatusCode.UNSET);
  });

  test("an app not given the tracing makes no spans, though tracing is installed in this process", async () => {
    const plain = createServiceApp({ log });
    plain.get("/v1/orders/:id", (c) => c.json({ active: trace.getActiveSpan() !== undefined }));
    t.reset();
    const res = await plain.request("/v1/orders/1", { headers: { traceparent: `00-${TRACE}-${PARENT}-01` } });
    expect(await res.json()).toEqual({ active: false });
    expect(t.spans()).toHaveLength(0);
  });

  test("probes are not traced", async () => {
    t.reset();
    expect((await app.request("/healthz")).status).toBe(200);
    expect(t.spans()).toHaveLength(0);
  });
});

describe("server spans: an unsampled request (parent-based sampling)", () => {
  let t: TestTracing;
  let app: OpenAPIHono<AppEnv>;
  const lines: Record<string, unknown>[] = [];
  const log = createLogger({ service: "test", level: "debug", sink: (l) => lines.push(JSON.parse(l)) });
  beforeAll(() => {
    t = installTestTracing("parentbased_traceidratio", 0);
    app = createServiceApp({ log, tracing: t });
    app.get("/v1/orders/:id", async (c) => {
      c.get("log").info("handler says hi");
      return c.json({ trace: c.get("trace"), active: trace.getActiveSpan() !== undefined });
    });
  });
  afterAll(() => t.close());

  test("records nothing and runs the handler outside any span context, yet logs and passes on one consistent id set", async () => {
    t.reset();
    lines.length = 0;
    const res = await app.request("/v1/orders/1", { headers: { traceparent: `00-${TRACE}-${PARENT}-00` } });
    const body = await res.json();
    expect(t.spans()).toHaveLength(0);
    expect(body.active).toBe(false);
    expect(body.trace).toMatchObject({ traceId: TRACE, parentSpanId: PARENT, sampled: false });
    expect(body.trace.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(lines.length).toBe(2);
    for (const l of lines) expect(l).toMatchObject({ trace_id: TRACE, span_id: body.trace.spanId });
  });
});
