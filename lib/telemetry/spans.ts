// Span helpers shared by the HTTP, database and messaging instrumentation: W3C carriers, ids for logs, error status.
import { type Context, context, propagation, ROOT_CONTEXT, type Span, SpanStatusCode, type TextMapGetter, type TextMapSetter, trace } from "@opentelemetry/api";
import { ATTR_ERROR_TYPE } from "@opentelemetry/semantic-conventions";
import { continueTrace, parseTraceparent, type TraceContext } from "./trace-context.ts";
import type { Tracing } from "./tracer.ts";

/** A carrier is a Headers object or a plain header record (the gateway hands records to fetch). */
export type Carrier = Headers | Record<string, string>;

const getter: TextMapGetter<Carrier> = {
  keys: (c) => (c instanceof Headers ? [...c.keys()] : Object.keys(c)),
  get: (c, key) => {
    if (c instanceof Headers) return c.get(key) ?? undefined;
    return c[key] ?? Object.entries(c).find(([k]) => k.toLowerCase() === key)?.[1];
  },
};
const setter: TextMapSetter<Carrier> = {
  set: (c, key, value) => {
    if (c instanceof Headers) c.set(key, value);
    else c[key] = value;
  },
};

/** The context a carrier's traceparent/tracestate describe (ROOT_CONTEXT when absent or malformed). */
export function extractContext(carrier: Carrier | undefined): Context {
  return carrier ? propagation.extract(ROOT_CONTEXT, carrier, getter) : ROOT_CONTEXT;
}

/** Writes traceparent (and tracestate) for `span` into the carrier. */
export function injectSpan(span: Span, carrier: Carrier): void {
  propagation.inject(trace.setSpan(context.active(), span), carrier, setter);
}

/** The span's ids in the shape the rest of the code (logs, outbox headers) already uses. */
export function traceContextOf(span: Span, parent?: Context): TraceContext {
  const sc = span.spanContext();
  const out: TraceContext = { traceId: sc.traceId, spanId: sc.spanId, sampled: (sc.traceFlags & 1) === 1 };
  const parentSpanId = parent && trace.getSpanContext(parent)?.spanId;
  if (parentSpanId) out.parentSpanId = parentSpanId;
  const state = sc.traceState?.serialize();
  if (state) out.tracestate = state;
  return out;
}

/**
 * The trace context to log and pass on: the active span's when tracing is on (its parent taken from `traceparent`, the
 * incoming header it continues); otherwise continueTrace's (ids propagated and logged without spans).
 */
export function currentTrace(tracing: Tracing, traceparent: string | null | undefined, tracestate?: string | null): TraceContext {
  const span = tracing.enabled ? trace.getActiveSpan() : undefined;
  if (!span) return continueTrace(traceparent, tracestate);
  const out = traceContextOf(span);
  const parent = parseTraceparent(traceparent);
  if (parent && parent.traceId === out.traceId) out.parentSpanId = parent.spanId;
  return out;
}

/** Marks the span failed: status ERROR, error.type, and the exception as an event. */
export function failSpan(span: Span, err: unknown, type?: string): void {
  const e = err instanceof Error ? err : new Error(String(err));
  span.recordException(e);
  span.setStatus({ code: SpanStatusCode.ERROR, message: e.message });
  span.setAttribute(ATTR_ERROR_TYPE, type ?? e.name);
}
