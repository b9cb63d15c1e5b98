// Fault modes for tests: chosen per request by headers, or process-wide through POST /_control (or the env).
import { z } from "zod";
import { zodMessage } from "../zod-message.ts";

export const FAULT_KINDS = ["fail", "unavailable", "hang", "slow", "slow-first-byte", "stall", "die", "not-ready", "redirect", "no-usage"] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

const count = z.coerce.number().int().min(0);
/** One fault with its settings; absent settings take the defaults below. */
export const faultSchema = z.strictObject({
  fault: z.enum(FAULT_KINDS),
  /** slow: before the headers; slow-first-byte: between the headers and the body. */
  delayMs: count.max(600_000).default(1_000),
  /** stall, die: body chunks sent before the stream stalls or the connection is destroyed. */
  afterChunks: count.default(1),
  /** unavailable: the Retry-After header in seconds. */
  retryAfter: count.default(1),
  /** redirect: the Location header. */
  location: z.string().default("http://127.0.0.1:9/"),
  /** fail: 500 by default; redirect: 302 by default. */
  status: z.coerce.number().int().min(300).max(599).optional(),
});
export type Fault = z.infer<typeof faultSchema>;

/** A process-wide fault also says which requests it hits and how many times. */
export const processFaultSchema = faultSchema.extend({
  /** Only requests for this model (the OIP path name or the OpenAI body `model`). */
  model: z.string().optional(),
  /** "inference" (default): infer, chat completions, embeddings; "all": every route but /_control. */
  routes: z.enum(["inference", "all"]).default("inference"),
  /** Apply to the next N matching requests, then clear; absent: until cleared. */
  count: z.number().int().min(1).optional(),
});
export type ProcessFault = z.infer<typeof processFaultSchema>;
/** As written in a request or the env: every setting but `fault` may be left out. */
export type ProcessFaultInput = z.input<typeof processFaultSchema>;

export const FAULT_HEADER = "x-model-server-fault";
const HEADER_SETTINGS = {
  delayMs: "x-model-server-delay-ms",
  afterChunks: "x-model-server-after-chunks",
  retryAfter: "x-model-server-retry-after",
  location: "x-model-server-location",
  status: "x-model-server-status",
} as const;

/** Route kinds a fault can target: the readiness answers, the inference work, and the rest. */
export type RouteKind = "readiness" | "inference" | "other";

export interface FaultTarget {
  kind: RouteKind;
  model?: string;
}

/** The fault for one request: its own headers win, then the process-wide mode if it matches. Throws on bad headers. */
export function createFaults(initial?: ProcessFault) {
  let current: ProcessFault | undefined = initial;
  const matches = (f: ProcessFault, t: FaultTarget) => {
    // not-ready only ever concerns readiness answers, and readiness answers only not-ready.
    if (f.fault === "not-ready" || t.kind === "readiness") return f.fault === "not-ready" && t.kind === "readiness";
    if (f.routes === "inference" && t.kind !== "inference") return false;
    return f.model === undefined || f.model === t.model;
  };
  return {
    get: () => current,
    set(f: ProcessFault | undefined) {
      current = f;
    },
    resolve(headers: Headers, target: FaultTarget): Fault | undefined {
      const kind = headers.get(FAULT_HEADER);
      if (kind !== null) {
        const raw: Record<string, string> = { fault: kind };
        for (const [key, name] of Object.entries(HEADER_SETTINGS)) {
          const v = headers.get(name);
          if (v !== null) raw[key] = v;
        }
        const parsed = faultSchema.safeParse(raw);
        if (!parsed.success) throw new BadFaultError(zodMessage(parsed.error));
        if (parsed.data.fault === "not-ready" && target.kind !== "readiness") return undefined;
        return parsed.data;
      }
      if (!current || !matches(current, target)) return undefined;
      if (current.count !== undefined && --current.count === 0) {
        const hit = current;
        current = undefined;
        return hit;
      }
      return current;
    },
  };
}

export type Faults = ReturnType<typeof createFaults>;

export class BadFaultError extends Error {
  override name = "BadFaultError";
}
