// The `echo-chat` model: a deterministic token generator standing in for a generative model (none is available offline).
import { createDetokenizer, tokenize } from "./tokens.ts";

/** What the reply echoes when the last user message has no text. */
const SEED = "echo";

export interface ChatPlan {
  /** Token pieces of the reply, one per generated token (a piece is "" while a character is incomplete). */
  pieces: string[];
  finishReason: "stop" | "length";
}

/**
 * The reply is the token sequence of the last user message, repeated until it is `length` tokens long (default:
 * exactly one pass, an echo), then cut at `maxTokens` (finish_reason "length" when that cut shortened it).
 */
export function planReply(lastUserText: string, opts: { length?: number; maxTokens?: number }): ChatPlan {
  const source = tokenize(lastUserText.trim() === "" ? SEED : lastUserText);
  const wanted = opts.length ?? source.length;
  const count = opts.maxTokens === undefined ? wanted : Math.min(wanted, opts.maxTokens);
  const piece = createDetokenizer();
  const pieces: string[] = [];
  for (let i = 0; i < count; i++) pieces.push(piece(source[i % source.length] as number));
  return { pieces, finishReason: count < wanted ? "length" : "stop" };
}
