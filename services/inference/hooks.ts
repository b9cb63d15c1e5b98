// Seams in the request pipeline where the concurrency limiter and the usage/budget step plug in (wired in assemble.ts).
import type { ModelSpec } from "./registry/model-spec.ts";
import type { TokenUsage } from "./usage/token-usage.ts";

/** Rewrites the complete lines of an event stream on their way to the client (e.g. strips a usage-only chunk). */
export interface StreamTap {
  /** Complete lines (ending in "\n"); returns what to forward (may be empty). */
  chunk(lines: Uint8Array): Uint8Array;
  /** At a clean end, before the stream closes: anything left to send. */
  end?(): Uint8Array | undefined;
}

/** One OpenAI call's usage accounting, from before the backend call to its settlement. */
export interface UsageSession {
  /** The body to send instead (e.g. `stream_options.include_usage` injected); undefined: as received. */
  body?: Record<string, unknown>;
  tap?: StreamTap;
  /** Response headers to add to a successful answer (e.g. RateLimit of the caller's budget). */
  headers?: Record<string, string>;
  /** A complete (non-streamed) answer's body on its way to the client. */
  answer?(bytes: Uint8Array): Uint8Array;
  /**
   * Called exactly once when the call is over: `ok` false when it failed or the client left. Returns the usage it
   * settled to (for the access log and the span), or undefined when nothing was generated.
   */
  settle(outcome: { ok: boolean }): TokenUsage | undefined;
}

export interface InferenceHooks {
  /**
   * Admission per model (the concurrency limiter with its bounded queue): resolves with the release to call when the
   * backend call is over (the release itself when admitted at once: no promise on the hot path), or throws an AppError
   * (429 / 503 with Retry-After) to refuse. Runs after validation, so an
   * invalid request never takes a slot. Absent: every call goes straight to the balancer.
   */
  admit?(model: ModelSpec, signal: AbortSignal): (() => void) | Promise<() => void>;
  /**
   * Usage and budget for OpenAI calls, before the backend call: may reserve the caller's budget (throwing an AppError
   * 429 to refuse) and rewrite the body. Absent: bodies go as received and nothing is counted.
   */
  openaiUsage?(input: {
    model: ModelSpec;
    operation: "chat" | "embeddings";
    caller: string;
    body: Record<string, unknown>;
    stream: boolean;
  }): Promise<UsageSession> | UsageSession;
}
