// Token counting and token streams with a real BPE tokenizer (gpt-tokenizer, o200k_base, the GPT-4o encoding).
import { decode, encode, encodeChat } from "gpt-tokenizer";

export interface ChatMessageText {
  role: string;
  content: string;
}

export const countTokens = (text: string): number => encode(text).length;

/** Prompt tokens of a chat as GPT-4o's chat format counts them (role and separator tokens included). */
export function countChatTokens(messages: ChatMessageText[]): number {
  return encodeChat(messages as Parameters<typeof encodeChat>[0], "gpt-4o").length;
}

export const tokenize = (text: string): number[] => encode(text);

/**
 * Turns tokens into text pieces one token at a time. A token can end inside a multi-byte character; its text is
 * held back (an empty piece) until the character is complete, so pieces always concatenate to the full text.
 */
export function createDetokenizer(): (token: number) => string {
  let pending: number[] = [];
  return (token) => {
    pending.push(token);
    const text = decode(pending);
    if (text.endsWith("\uFFFD")) return "";
    pending = [];
    return text;
  };
}
