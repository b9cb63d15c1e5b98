// OpenAI-compatible request bodies (chat completions, embeddings) and the error object every OpenAI route answers.
import { z } from "zod";
import type { ErrorBody } from "../faults/answer.ts";

const textPart = z.object({ type: z.literal("text"), text: z.string() });
export const chatMessage = z.object({
  role: z.enum(["system", "developer", "user", "assistant", "tool"]),
  // A string, text parts, or null (an assistant message that only called tools).
  content: z.union([z.string(), z.array(textPart), z.null()]).optional(),
  name: z.string().optional(),
});

// Other OpenAI fields (temperature, top_p, seed, user, ...) are accepted and have no effect on a deterministic model.
export const chatRequest = z.looseObject({
  model: z.string(),
  messages: z.array(chatMessage).min(1),
  max_tokens: z.number().int().min(1).nullish(),
  max_completion_tokens: z.number().int().min(1).nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullish(),
  n: z.literal(1, { error: "only n = 1 is supported" }).nullish(),
});
export type ChatRequest = z.infer<typeof chatRequest>;
export type ChatMessage = z.infer<typeof chatMessage>;

export const embeddingsRequest = z.looseObject({
  model: z.string(),
  input: z.union([z.string(), z.array(z.string()).min(1).max(2048)], { error: "input must be a string or an array of strings" }),
  encoding_format: z.enum(["float", "base64"]).optional(),
});

const ERROR_TYPES: Record<number, string> = { 400: "invalid_request_error", 404: "invalid_request_error", 429: "rate_limit_error" };
const ERROR_CODES: Record<number, string> = { 400: "invalid_request", 404: "model_not_found", 500: "injected_failure", 503: "unavailable" };

/** OpenAI's error object: `{"error": {"message", "type", "code", "param"}}`. */
export const openaiError: ErrorBody = (message, status) => ({
  error: { message, type: ERROR_TYPES[status] ?? (status >= 500 ? "server_error" : "invalid_request_error"), param: null, code: ERROR_CODES[status] ?? null },
});

/** The text of a message: its string, or its text parts joined. */
export const textOf = (m: ChatMessage): string => (typeof m.content === "string" ? m.content : (m.content ?? []).map((p) => p.text).join(""));
