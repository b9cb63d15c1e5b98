// The echo-chat generator and its detokenizer: deterministic pieces that always concatenate to whole characters.
import { describe, expect, test } from "bun:test";
import { encode } from "gpt-tokenizer";
import { planReply } from "./echo-chat.ts";
import { createDetokenizer } from "./tokens.ts";

describe("createDetokenizer", () => {
  test("holds back a token that ends inside a character, so pieces never carry a replacement character", () => {
    // Emoji and CJK are split across tokens by o200k_base; the pieces must still add up to the text.
    const text = "🦜🦜 naïve 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 日本語のテキスト";
    const piece = createDetokenizer();
    const pieces = encode(text).map(piece);
    expect(pieces.join("")).toBe(text);
    expect(pieces.some((p) => p.includes("\uFFFD"))).toBe(false);
    expect(pieces.some((p) => p === "")).toBe(true);
  });
});

describe("planReply", () => {
  test("echoes the message, one piece per token, finish_reason stop", () => {
    const plan = planReply("Hello there, world!", {});
    expect(plan.pieces).toEqual(["Hello", " there", ",", " world", "!"]);
    expect(plan.finishReason).toBe("stop");
  });

  test("a length repeats the tokens; max_tokens cuts with finish_reason length; same input, same plan", () => {
    expect(planReply("a b", { length: 5 }).pieces).toEqual(["a", " b", "a", " b", "a"]);
    const cut = planReply("a b", { length: 5, maxTokens: 2 });
    expect(cut).toEqual({ pieces: ["a", " b"], finishReason: "length" });
    expect(planReply("x y z", { length: 7 })).toEqual(planReply("x y z", { length: 7 }));
    expect(planReply("", {}).pieces.join("")).toBe("echo");
  });
});
