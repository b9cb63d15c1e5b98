// Whether tracing is on, and its tracer: all the hot paths import (the SDK itself is loaded only by lib/telemetry/tracing.ts).
import { type Tracer, trace } from "@opentelemetry/api";

/**
 * False unless startTracing registered a provider; then the API's no-op tracer is all there is, and instrumented code
 * skips span work entirely (one property read per request).
 */
export const tracing: { enabled: boolean; tracer: Tracer } = { enabled: false, tracer: trace.getTracer("bun-platform") };
