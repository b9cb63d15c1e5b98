// Usage of a non-streamed OpenAI response: the backend's `usage` when present, else an estimate, and the body carrying it.
import { choicesText } from "./estimate-tokens.ts";
import type { CountTokens } from "./token-counter.ts";
import { estimatedUsage, parseOpenAiUsage, type TokenUsage, toOpenAiUsage } from "./token-usage.ts";

/**
 * The usage of a parsed chat-completions or embeddings response. Without a usable `usage`, the prompt side is the
 * request's estimate and the output side is counted from the choices (embeddings produce no output tokens).
 */
export function usageOfJsonResponse(body: unknown, promptEstimate: () => number, count: CountTokens): TokenUsage {
  const reported = typeof body === "object" && body !== null ? parseOpenAiUsage((body as { usage?: unknown }).usage) : undefined;
  if (reported) return reported;
  const text = choicesText(body);
  return estimatedUsage(promptEstimate(), text === "" ? 0 : count(text));
}

/**
 * The response body to return: unchanged when the backend reported usage, else a copy with the estimated `usage`
 * (marked `estimated: true`), so every OpenAI response tells the client what it was charged.
 */
export function withUsage(body: Record<string, unknown>, usage: TokenUsage): Record<string, unknown> {
  return usage.estimated ? { ...body, usage: toOpenAiUsage(usage) } : body;
}
