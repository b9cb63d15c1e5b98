// The tracing dependency handed to everything that makes spans: a tracer and whether tracing is on (the SDK loads only in tracing.ts).
import { ProxyTracerProvider, type Tracer } from "@opentelemetry/api";

export interface Tracing {
  /**
   * False when tracing is off: instrumented code then skips span work entirely (one property read per request). It
   * turns false again when a started tracing is closed.
   */
  readonly enabled: boolean;
  /** The provider's tracer when on; the API's no-op tracer when off. Read it at span time, not once. */
  readonly tracer: Tracer;
}

/**
 * Tracing off: what every factory taking a `tracing` uses when given none (tests, tools). Its tracer comes from a
 * provider that is never given a delegate, so it stays the no-op one (trace.getTracer's would follow whatever provider
 * is registered later, even after that one shut down).
 */
export const TRACING_OFF: Tracing = { enabled: false, tracer: new ProxyTracerProvider().getTracer("bun-platform") };
