// The OpenTelemetry SDK, installed: loaded by tracing.ts only when an endpoint is configured (it is most of a cold start).
import { context, DiagLogLevel, diag, propagation, type Tracer, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { OTLPTraceExporter as JsonExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as ProtobufExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { defaultResource, resourceFromAttributes } from "@opentelemetry/resources";
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BasicTracerProvider,
  BatchSpanProcessor,
  ParentBasedSampler,
  type Sampler,
  type SpanProcessor,
  TraceIdRatioBasedSampler,
} from "@opentelemetry/sdk-trace-base";
import type { Closer } from "../lifecycle/closer.ts";
import type { LogContext, Logger } from "../logging/logger.ts";
import type { SamplerName, TracingConfig } from "./config.ts";
import { TRACING_OFF, type Tracing } from "./tracer.ts";

/** The longest shutdown waits for the last spans to be exported: it must fit in the service's grace period. */
const FLUSH_LIMIT_MS = 5_000;

/** What main.ts gets: the tracing to pass to everything that makes spans, the log lines' context, and its closer. */
export interface StartedTracing extends Tracing {
  enabled: boolean;
  tracer: Tracer;
  /** For createLogger's `context`: the active span's trace_id and span_id on every line. Undefined when tracing is off. */
  logContext: LogContext | undefined;
  /** Exports what is buffered and stops (bounded by FLUSH_LIMIT_MS), then tracing is off; a no-op when it was off. */
  closer: Closer;
}

export interface StartTracingOptions {
  log?: Logger;
  /** Tests: replaces the OTLP exporter and its batching (e.g. a SimpleSpanProcessor on an in-memory exporter). */
  spanProcessor?: SpanProcessor;
}

/**
 * Head sampling decides when a trace starts, before anyone knows whether it will fail, so errors cannot be "always
 * kept" here: a parent's decision is honoured (parentbased_*), and new traces are kept at OTEL_TRACES_SAMPLER_ARG
 * (default 10%). Keeping every failed trace needs tail sampling in the collector; spans carry status ERROR for it.
 */
export function createSampler(name: SamplerName, ratio: number): Sampler {
  switch (name) {
    case "always_on":
      return new AlwaysOnSampler();
    case "always_off":
      return new AlwaysOffSampler();
    case "traceidratio":
      return new TraceIdRatioBasedSampler(ratio);
    case "parentbased_always_on":
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case "parentbased_always_off":
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case "parentbased_traceidratio":
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) });
  }
}

/** Registers the SDK globally for `cfg`: tracer provider, AsyncLocalStorage context, W3C propagator (startTracing calls it). */
export function installTracing(cfg: TracingConfig, opts: StartTracingOptions = {}): StartedTracing {
  const log = opts.log;
  if (log) {
    const warn = (msg: string, ...args: unknown[]) => log.warn("telemetry", { detail: [msg, ...args.map(String)].join(" ") });
    diag.setLogger({ error: warn, warn, info: () => {}, debug: () => {}, verbose: () => {} }, DiagLogLevel.WARN);
  }
  const exporterOptions = { url: cfg.url, headers: cfg.headers, timeoutMillis: cfg.timeoutMs, compression: cfg.compression as never };
  const processor =
    opts.spanProcessor ??
    // OTEL_BSP_* (delay, queue and batch sizes, export timeout) are read by the processor itself.
    new BatchSpanProcessor(cfg.protocol === "http/json" ? new JsonExporter(exporterOptions) : new ProtobufExporter(exporterOptions));
  const provider = new BasicTracerProvider({
    resource: defaultResource().merge(resourceFromAttributes(cfg.resource)),
    sampler: createSampler(cfg.sampler, cfg.ratio),
    spanProcessors: [processor],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  const tracing: StartedTracing = {
    enabled: true,
    tracer: provider.getTracer("bun-platform", cfg.resource["service.version"]),
    logContext: activeSpanIds,
    closer: { name: "telemetry", close: () => close() },
  };
  log?.info("tracing on", { endpoint: cfg.url, protocol: cfg.protocol, sampler: cfg.sampler, ratio: cfg.ratio });

  let stopping: Promise<void> | undefined;
  const close = () =>
    (stopping ??= (async () => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const limit = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          log?.warn("telemetry: flush took too long; remaining spans dropped", { limit_ms: FLUSH_LIMIT_MS });
          resolve();
        }, FLUSH_LIMIT_MS);
      });
      try {
        await Promise.race([provider.shutdown(), limit]);
      } finally {
        clearTimeout(timer);
        // Off again: what was given this tracing skips span work from now on (tests open and close it repeatedly).
        tracing.enabled = false;
        tracing.tracer = TRACING_OFF.tracer;
        uninstall();
      }
    })());
  return tracing;
}

/** Every log line written inside a span carries that span's ids. */
function activeSpanIds(): Record<string, string> | undefined {
  const sc = trace.getActiveSpan()?.spanContext();
  return sc ? { trace_id: sc.traceId, span_id: sc.spanId } : undefined;
}

/** Back to the API's no-op state (after shutdown, and between tests). */
function uninstall(): void {
  trace.disable();
  context.disable();
  propagation.disable();
  diag.disable();
}
