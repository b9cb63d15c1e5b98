import { afterEach, describe, expect, test } from "bun:test";
import { context, ROOT_CONTEXT, SpanKind, TraceFlags, trace } from "@opentelemetry/api";
import { SamplingDecision } from "@opentelemetry/sdk-trace-base";
import { ConfigError } from "../config/env.ts";
import { createLogger } from "../logging/logger.ts";
import { DEFAULT_SAMPLE_RATIO, parseTracingEnv } from "./config.ts";
import { createSampler } from "./install-tracing.ts";
import { installTestTracing, type TestTracing } from "./testing.ts";
import { startTracing } from "./tracing.ts";

const ENDPOINT = { OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" };

describe("tracing config (OTEL_*)", () => {
  test("no endpoint: tracing off, no provider registered, the API's no-op tracer", async () => {
    expect(parseTracingEnv("orders", "1.0.0", {})).toBeUndefined();
    const t = await startTracing("orders", "1.0.0", { OTEL_SERVICE_NAME: "x", OTEL_TRACES_SAMPLER_ARG: "0.5" });
    expect(t.enabled).toBe(false);
    expect(t.tracer.startSpan("s").isRecording()).toBe(false);
    expect(t.logContext).toBeUndefined();
    const span = trace.getTracer("t").startSpan("s");
    expect(span.isRecording()).toBe(false);
    expect(trace.isSpanContextValid(span.spanContext())).toBe(false);
    await t.closer.close();
  });

  test("an endpoint: startTracing loads the SDK and registers it; closing turns it off again", async () => {
    const t = await startTracing("orders", "1.0.0", { ...ENDPOINT, OTEL_TRACES_SAMPLER: "always_on" });
    expect(t.enabled).toBe(true);
    expect(t.tracer.startSpan("s").isRecording()).toBe(true);
    expect(trace.getTracer("t").startSpan("s").isRecording()).toBe(true);
    expect(t.logContext).toBeFunction();
    await t.closer.close();
    expect(t.enabled).toBe(false);
    expect(trace.getTracer("t").startSpan("s").isRecording()).toBe(false);
  });

  test("OTEL_SDK_DISABLED=true wins over an endpoint", () => {
    expect(parseTracingEnv("orders", "1.0.0", { ...ENDPOINT, OTEL_SDK_DISABLED: "true" })).toBeUndefined();
  });

  test("defaults: parent-based ratio sampling at 10%, protobuf, /v1/traces appended, service name and version", () => {
    const cfg = parseTracingEnv("orders", "1.2.3", ENDPOINT);
    expect(cfg?.sampler).toBe("parentbased_traceidratio");
    expect(cfg?.ratio).toBe(DEFAULT_SAMPLE_RATIO);
    expect(DEFAULT_SAMPLE_RATIO).toBe(0.1);
    expect(cfg?.protocol).toBe("http/protobuf");
    expect(cfg?.url).toBe("http://collector:4318/v1/traces");
    expect(cfg?.resource).toEqual({ "service.name": "orders", "service.version": "1.2.3" });
  });

  test("standard variables are honoured", () => {
    const cfg = parseTracingEnv("orders", "1.2.3", {
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "https://otel.example/custom/path",
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      OTEL_EXPORTER_OTLP_HEADERS: "authorization=Bearer%20abc, x-tenant=t1",
      OTEL_TRACES_SAMPLER: "always_on",
      OTEL_TRACES_SAMPLER_ARG: "0.25",
      OTEL_SERVICE_NAME: "orders-eu",
      OTEL_RESOURCE_ATTRIBUTES: "deployment.environment.name=prod,service.name=ignored",
    });
    expect(cfg).toMatchObject({
      url: "https://otel.example/custom/path",
      protocol: "http/json",
      headers: { authorization: "Bearer abc", "x-tenant": "t1" },
      sampler: "always_on",
      ratio: 0.25,
      resource: { "service.name": "orders-eu", "service.version": "1.2.3", "deployment.environment.name": "prod" },
    });
  });

  test("invalid values: one ConfigError listing every problem", () => {
    let err: unknown;
    try {
      parseTracingEnv("orders", "1", {
        OTEL_EXPORTER_OTLP_ENDPOINT: "collector:4318",
        OTEL_TRACES_SAMPLER: "jaeger_remote",
        OTEL_TRACES_SAMPLER_ARG: "2",
        OTEL_EXPORTER_OTLP_PROTOCOL: "grpc",
        OTEL_RESOURCE_ATTRIBUTES: "novalue",
      });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems.join("\n");
    for (const v of [
      "OTEL_EXPORTER_OTLP_ENDPOINT",
      "OTEL_TRACES_SAMPLER:",
      "OTEL_TRACES_SAMPLER_ARG",
      "OTEL_EXPORTER_OTLP_PROTOCOL",
      "OTEL_RESOURCE_ATTRIBUTES",
    ])
      expect(problems).toContain(v);
  });
});

describe("samplers", () => {
  const sampled = (traceFlags: number) =>
    trace.setSpanContext(ROOT_CONTEXT, { traceId: "0af7651916cd43dd8448eb211c80319c", spanId: "b7ad6b7169203331", traceFlags, isRemote: true });
  const decide = (s: ReturnType<typeof createSampler>, ctx = ROOT_CONTEXT, traceId = "ffffffffffffffffffffffffffffffff") =>
    s.shouldSample(ctx, traceId, "GET /x", SpanKind.SERVER, {}, []).decision;

  test("parent-based: a sampled parent is kept even at ratio 0, an unsampled one dropped even at ratio 1", () => {
    expect(decide(createSampler("parentbased_traceidratio", 0), sampled(TraceFlags.SAMPLED))).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(decide(createSampler("parentbased_traceidratio", 1), sampled(TraceFlags.NONE))).toBe(SamplingDecision.NOT_RECORD);
  });

  test("new traces are kept at the ratio", () => {
    const s = createSampler("parentbased_traceidratio", 0.1);
    let kept = 0;
    for (let i = 0; i < 2000; i++) {
      const id = crypto.getRandomValues(new Uint8Array(16)).toHex();
      if (decide(s, ROOT_CONTEXT, id) === SamplingDecision.RECORD_AND_SAMPLED) kept++;
    }
    expect(kept).toBeGreaterThan(120);
    expect(kept).toBeLessThan(280);
  });
});

describe("logs inside spans", () => {
  let t: TestTracing | undefined;
  afterEach(async () => {
    await t?.close();
    t = undefined;
  });

  test("every line written inside a span carries its trace_id and span_id; outside, none", () => {
    const lines: Record<string, unknown>[] = [];
    t = installTestTracing();
    const log = createLogger({ service: "test", sink: (l) => lines.push(JSON.parse(l)), context: t.logContext });
    const span = t.tracer.startSpan("work");
    context.with(trace.setSpan(context.active(), span), () => log.child({ component: "x" }).info("inside"));
    span.end();
    log.info("outside");
    const sc = span.spanContext();
    expect(lines[0]).toMatchObject({ msg: "inside", trace_id: sc.traceId, span_id: sc.spanId, component: "x" });
    expect(lines[1]?.trace_id).toBeUndefined();
  });

  test("only a logger given the tracing's context adds span ids: nothing is switched on for loggers made elsewhere", () => {
    const lines: Record<string, unknown>[] = [];
    t = installTestTracing();
    const plain = createLogger({ service: "plain", sink: (l) => lines.push(JSON.parse(l)) });
    const traced = createLogger({ service: "traced", sink: (l) => lines.push(JSON.parse(l)), context: t.logContext });
    const span = t.tracer.startSpan("work");
    context.with(trace.setSpan(context.active(), span), () => {
      plain.info("inside");
      traced.info("inside");
    });
    span.end();
    expect(lines[0]?.trace_id).toBeUndefined();
    expect(lines[1]).toMatchObject({ service: "traced", trace_id: span.spanContext().traceId, span_id: span.spanContext().spanId });
  });

  test("after shutdown the no-op state is back", async () => {
    const closed = installTestTracing();
    t = closed;
    expect(closed.enabled).toBe(true);
    await closed.close();
    t = undefined;
    expect(closed.enabled).toBe(false);
    expect(closed.tracer.startSpan("s").isRecording()).toBe(false);
    expect(trace.getTracer("t").startSpan("s").isRecording()).toBe(false);
  });
});
