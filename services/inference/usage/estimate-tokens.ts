// Token estimates from OpenAI request and response bodies: prompt (chat messages, embedding input), output (choices), maximum.
import type { CountTokens } from "./token-counter.ts";

/** OpenAI's accounting for chat: each message costs 3 tokens of framing, a name 1 more, and the reply is primed with 3. */
const PER_MESSAGE = 3;
const PER_NAME = 1;
const REPLY_PRIMING = 3;
/** A non-text content part (image, audio, file): its real cost depends on the model; the low-detail image price stands in. */
const NON_TEXT_PART = 85;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function contentTokens(content: unknown, count: CountTokens): number {
  if (typeof content === "string") return count(content);
  if (!Array.isArray(content)) return 0;
  let n = 0;
  for (const part of content) {
    if (isObject(part) && typeof part.text === "string") n += count(part.text);
    else if (isObject(part)) n += NON_TEXT_PART;
  }
  return n;
}

/** Tokens of structured members (tool calls, tool definitions, response formats) as the JSON the model is shown. */
const jsonTokens = (v: unknown, count: CountTokens): number => (v === undefined || v === null ? 0 : count(JSON.stringify(v)));

/** Prompt tokens of a chat-completions body: messages, tool definitions and response format. */
export function estimateChatPromptTokens(body: Record<string, unknown>, count: CountTokens): number {
  const messages = Array.isArray(body.messages) ? body.messages : [];
  let n = REPLY_PRIMING;
  for (const m of messages) {
    if (!isObject(m)) continue;
    n += PER_MESSAGE;
    if (typeof m.role === "string") n += count(m.role);
    n += contentTokens(m.content, count);
    if (typeof m.name === "string") n += PER_NAME + count(m.name);
    n += jsonTokens(m.tool_calls, count);
  }
  return n + jsonTokens(body.tools, count) + jsonTokens(body.response_format, count);
}

/** Input tokens of an embeddings body: a string, strings, or already-tokenized arrays of token ids. */
export function estimateEmbeddingInputTokens(body: Record<string, unknown>, count: CountTokens): number {
  const input = body.input;
  if (typeof input === "string") return count(input);
  if (!Array.isArray(input)) return 0;
  if (input.every((x) => typeof x === "number")) return input.length;
  let n = 0;
  for (const item of input) {
    if (typeof item === "string") n += count(item);
    else if (Array.isArray(item)) n += item.length;
  }
  return n;
}

/**
 * The most output tokens the request allows (`max_completion_tokens`, else `max_tokens`, times `n` choices), or
 * `fallback` (the model's configured default) when it names none. This is what a budget reserves for the answer.
 */
export function maxOutputTokens(body: Record<string, unknown>, fallback: number): number {
  const cap = [body.max_completion_tokens, body.max_tokens].find((v) => typeof v === "number" && Number.isInteger(v) && v >= 0) as number | undefined;
  const n = typeof body.n === "number" && Number.isInteger(body.n) && body.n > 1 ? body.n : 1;
  return (cap ?? fallback) * n;
}

/** The generated text of one choice (`message` in a response, `delta` in a stream chunk, `text` for completions). */
export function choiceText(choice: unknown): string {
  if (!isObject(choice)) return "";
  if (typeof choice.text === "string") return choice.text;
  const m = isObject(choice.message) ? choice.message : isObject(choice.delta) ? choice.delta : undefined;
  if (!m) return "";
  let out = "";
  if (typeof m.content === "string") out += m.content;
  else if (Array.isArray(m.content)) for (const p of m.content) if (isObject(p) && typeof p.text === "string") out += p.text;
  if (typeof m.reasoning_content === "string") out += m.reasoning_content;
  if (Array.isArray(m.tool_calls)) {
    for (const call of m.tool_calls) {
      const fn = isObject(call) && isObject(call.function) ? call.function : undefined;
      if (fn && typeof fn.name === "string") out += fn.name;
      if (fn && typeof fn.arguments === "string") out += fn.arguments;
    }
  }
  return out;
}

/** The generated text of every choice in a response body or stream chunk. */
export function choicesText(body: unknown): string {
  if (!isObject(body) || !Array.isArray(body.choices)) return "";
  let out = "";
  for (const c of body.choices) out += choiceText(c);
  return out;
}
