// W3C Trace Context: parse and format `traceparent`, and make ids for new traces and spans.

export interface TraceContext {
  traceId: string; // 32 lowercase hex
  spanId: string; // 16 lowercase hex: this process's span
  parentSpanId?: string; // the caller's span, when a valid traceparent came in
  sampled: boolean;
  tracestate?: string;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ZERO_TRACE = "0".repeat(32);
const ZERO_SPAN = "0".repeat(16);

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
// Ids are cut from a pool of CSPRNG hex refilled 4 KiB at a time: one getRandomValues call per ~170 requests,
// which matters on the gateway's and services' hot paths.
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

export const newTraceId = (): string => randomHex(16);
export const newSpanId = (): string => randomHex(8);

/** Parses a traceparent header; returns undefined for anything malformed (then a new trace starts). */
export function parseTraceparent(header: string | null | undefined): { traceId: string; spanId: string; sampled: boolean } | undefined {
  if (!header || header.length > 256) return undefined;
  const m = TRACEPARENT.exec(header.trim());
  if (!m) return undefined;
  const [, version, traceId, spanId, flags, rest] = m as unknown as [string, string, string, string, string, string | undefined];
  if (version === "ff" || (version === "00" && rest !== undefined)) return undefined;
  if (traceId === ZERO_TRACE || spanId === ZERO_SPAN) return undefined;
  return { traceId, spanId, sampled: (Number.parseInt(flags, 16) & 1) === 1 };
}

/** Continues the incoming trace (new span id, caller as parent) or starts a new one. */
export function continueTrace(traceparent: string | null | undefined, tracestate?: string | null): TraceContext {
  const parent = parseTraceparent(traceparent);
  if (!parent) return { traceId: newTraceId(), spanId: newSpanId(), sampled: false };
  const ctx: TraceContext = { traceId: parent.traceId, spanId: newSpanId(), parentSpanId: parent.spanId, sampled: parent.sampled };
  if (tracestate && tracestate.length <= 512) ctx.tracestate = tracestate;
  return ctx;
}

export function formatTraceparent(ctx: Pick<TraceContext, "traceId" | "spanId" | "sampled">): string {
  return `00-${ctx.traceId}-${ctx.spanId}-${ctx.sampled ? "01" : "00"}`;
}
