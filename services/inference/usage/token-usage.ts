// Token usage of one call in the gateway's own shape: read from OpenAI `usage`, written back to it, to the log and to metrics.

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  /** True when the backend sent no usage and the gateway counted the tokens itself. */
  estimated: boolean;
}

/** The OpenAI `usage` member; `estimated` is the gateway's addition, present only when true. */
export interface OpenAiUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  estimated?: true;
}

const count = (v: unknown): number | undefined => (typeof v === "number" && Number.isInteger(v) && v >= 0 ? v : undefined);

/**
 * The backend's `usage` object, or undefined when absent or malformed (then the caller estimates). Embeddings report
 * no completion_tokens; a missing total is the sum. A total below the sum is not trusted: the larger figure is charged.
 */
export function parseOpenAiUsage(u: unknown): TokenUsage | undefined {
  if (typeof u !== "object" || u === null) return undefined;
  const o = u as Record<string, unknown>;
  const input = count(o.prompt_tokens);
  if (input === undefined) return undefined;
  const output = o.completion_tokens === undefined || o.completion_tokens === null ? 0 : count(o.completion_tokens);
  if (output === undefined) return undefined;
  const total = count(o.total_tokens) ?? 0;
  return { inputTokens: input, outputTokens: output, totalTokens: Math.max(total, input + output), estimated: false };
}

export function estimatedUsage(inputTokens: number, outputTokens: number): TokenUsage {
  return { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens, estimated: true };
}

export function toOpenAiUsage(u: TokenUsage): OpenAiUsage {
  const out: OpenAiUsage = { prompt_tokens: u.inputTokens, completion_tokens: u.outputTokens, total_tokens: u.totalTokens };
  if (u.estimated) out.estimated = true;
  return out;
}

/** Fields for the access-log line (snake_case like the rest of the line). */
export function usageLogFields(u: TokenUsage): { input_tokens: number; output_tokens: number; total_tokens: number; usage_estimated: boolean } {
  return { input_tokens: u.inputTokens, output_tokens: u.outputTokens, total_tokens: u.totalTokens, usage_estimated: u.estimated };
}
