// Trace context for proxied requests: the caller's trace continued (lib/telemetry rules) with ids cut from pooled random hex.
import { parseTraceparent, type TraceContext } from "../../../lib/telemetry/trace-context.ts";

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
// Random hex is made 4 KiB of CSPRNG output at a time and handed out in slices: one getRandomValues call and one
// string per ~170 requests instead of per request.
let pool = "";
let used = 0;

function randomHex(bytes: number): string {
  const chars = bytes * 2;
  if (used + chars > pool.length) {
    const buf = crypto.getRandomValues(new Uint8Array(4096));
    const parts: string[] = new Array(buf.length);
    for (let i = 0; i < buf.length; i++) parts[i] = HEX[buf[i] as number] as string;
    pool = parts.join("");
    used = 0;
  }
  const out = pool.slice(used, used + chars);
  used += chars;
  return out;
}

/** Same result as lib/telemetry's continueTrace: the caller's trace and a new span, or a new trace. */
export function continueTraceFast(traceparent: string | null, tracestate: string | null): TraceContext {
  const parent = traceparent === null ? undefined : parseTraceparent(traceparent);
  if (!parent) return { traceId: randomHex(16), spanId: randomHex(8), sampled: false };
  const ctx: TraceContext = { traceId: parent.traceId, spanId: randomHex(8), parentSpanId: parent.spanId, sampled: parent.sampled };
  if (tracestate && tracestate.length <= 512) ctx.tracestate = tracestate;
  return ctx;
}
