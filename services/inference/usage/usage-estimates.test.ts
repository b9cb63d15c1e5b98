// Usage from requests and JSON responses: the real tokenizer, prompt/output estimates, reported usage, stream_options.
import { beforeAll, describe, expect, test } from "bun:test";
import { choicesText, estimateChatPromptTokens, estimateEmbeddingInputTokens, maxOutputTokens } from "./estimate-tokens.ts";
import { usageOfJsonResponse, withUsage } from "./json-usage.ts";
import { prepareChatRequest } from "./stream-options.ts";
import { approximateTokens, createTokenCounter, type TokenCounter } from "./token-counter.ts";
import { parseOpenAiUsage, toOpenAiUsage, usageLogFields } from "./token-usage.ts";

let tokens: TokenCounter;
beforeAll(async () => {
  tokens = createTokenCounter();
  await tokens.ready;
});
const count = (t: string) => tokens.count(t);

describe("token counter (gpt-tokenizer, cl100k_base)", () => {
  test("counts real BPE tokens, not characters or words", () => {
    expect(tokens.loaded()).toBe(true);
    expect(count("Hello world")).toBe(2);
    expect(count("")).toBe(0);
    expect(count("antidisestablishmentarianism")).toBeGreaterThan(1); // one word, several tokens
    expect(count("The quick brown fox jumps over the lazy dog.")).toBe(10);
  });

  test("special-token text in a prompt is counted as text instead of throwing", () => {
    expect(count("a <|endoftext|> b")).toBeGreaterThan(3);
  });

  test("before the table is loaded it approximates; very long text is extrapolated from a prefix", async () => {
    let release: (fn: (t: string) => number) => void = () => {};
    const slow = createTokenCounter({ load: () => new Promise((r) => (release = r)), maxExactChars: 100 });
    expect(slow.loaded()).toBe(false);
    expect(slow.count("12345678")).toBe(2); // 8 bytes / 4
    release((t) => t.length);
    await slow.ready;
    expect(slow.count("x".repeat(50))).toBe(50);
    expect(slow.count("x".repeat(1_000))).toBe(1_000); // 100 counted exactly, × 10
    expect(approximateTokens("ü")).toBe(1);
  });
});

describe("prompt and output estimates", () => {
  test("chat prompt: message framing, roles, text parts, names, tools", () => {
    const body = {
      messages: [
        { role: "system", content: "You are terse." },
        {
          role: "user",
          name: "ann",
          content: [
            { type: "text", text: "Hello world" },
            { type: "image_url", image_url: { url: "data:..." } },
          ],
        },
      ],
    };
    const expected = 3 + (3 + count("system") + count("You are terse.")) + (3 + count("user") + 2 + 85 + 1 + count("ann"));
    expect(estimateChatPromptTokens(body, count)).toBe(expected);
    const tools = [{ type: "function", function: { name: "f", parameters: {} } }];
    expect(estimateChatPromptTokens({ ...body, tools }, count)).toBe(expected + count(JSON.stringify(tools)));
    expect(estimateChatPromptTokens({}, count)).toBe(3);
  });

  test("embedding input: a string, strings, token-id arrays", () => {
    expect(estimateEmbeddingInputTokens({ input: "Hello world" }, count)).toBe(2);
    expect(estimateEmbeddingInputTokens({ input: ["Hello world", "Hello world"] }, count)).toBe(4);
    expect(estimateEmbeddingInputTokens({ input: [1, 2, 3] }, count)).toBe(3);
    expect(estimateEmbeddingInputTokens({ input: [[1, 2], [3]] }, count)).toBe(3);
    expect(estimateEmbeddingInputTokens({}, count)).toBe(0);
  });

  test("max output: max_completion_tokens over max_tokens, times n; the fallback when none is named", () => {
    expect(maxOutputTokens({ max_tokens: 100 }, 512)).toBe(100);
    expect(maxOutputTokens({ max_tokens: 100, max_completion_tokens: 50 }, 512)).toBe(50);
    expect(maxOutputTokens({ max_tokens: 100, n: 3 }, 512)).toBe(300);
    expect(maxOutputTokens({}, 512)).toBe(512);
    expect(maxOutputTokens({ max_tokens: -1 }, 512)).toBe(512);
  });

  test("output text of choices: message content, tool call arguments, stream deltas, completions text", () => {
    expect(choicesText({ choices: [{ message: { content: "a" } }, { message: { content: "b" } }] })).toBe("ab");
    expect(choicesText({ choices: [{ message: { content: null, tool_calls: [{ function: { name: "f", arguments: '{"x":1}' } }] } }] })).toBe('f{"x":1}');
    expect(choicesText({ choices: [{ delta: { content: "d" } }] })).toBe("d");
    expect(choicesText({ choices: [{ text: "t" }] })).toBe("t");
    expect(choicesText(null)).toBe("");
  });
});

describe("usage of JSON responses", () => {
  test("the backend's usage is taken as reported", () => {
    const body = { choices: [{ message: { content: "Hello world" } }], usage: { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 } };
    const u = usageOfJsonResponse(body, () => 99, count);
    expect(u).toEqual({ inputTokens: 10, outputTokens: 2, totalTokens: 12, estimated: false });
    expect(withUsage(body, u)).toBe(body);
  });

  test("embeddings report no completion tokens", () => {
    expect(usageOfJsonResponse({ data: [], usage: { prompt_tokens: 4, total_tokens: 4 } }, () => 0, count)).toEqual({
      inputTokens: 4,
      outputTokens: 0,
      totalTokens: 4,
      estimated: false,
    });
  });

  test("without usage: prompt from the request estimate, output counted, and the body gains a marked usage", () => {
    const body = { id: "x", choices: [{ message: { content: "The quick brown fox jumps over the lazy dog." } }] };
    const u = usageOfJsonResponse(body, () => 7, count);
    expect(u).toEqual({ inputTokens: 7, outputTokens: 10, totalTokens: 17, estimated: true });
    expect(withUsage(body, u)).toEqual({ ...body, usage: { prompt_tokens: 7, completion_tokens: 10, total_tokens: 17, estimated: true } });
  });

  test("malformed usage is not trusted", () => {
    for (const bad of [null, {}, { prompt_tokens: -1 }, { prompt_tokens: 1.5 }, { prompt_tokens: "3" }, { prompt_tokens: 1, completion_tokens: "2" }])
      expect(parseOpenAiUsage(bad)).toBeUndefined();
    // A total below the parts is raised to their sum.
    expect(parseOpenAiUsage({ prompt_tokens: 5, completion_tokens: 5, total_tokens: 1 })?.totalTokens).toBe(10);
  });

  test("log fields and the OpenAI shape", () => {
    const u = { inputTokens: 1, outputTokens: 2, totalTokens: 3, estimated: false };
    expect(usageLogFields(u)).toEqual({ input_tokens: 1, output_tokens: 2, total_tokens: 3, usage_estimated: false });
    expect(toOpenAiUsage(u)).toEqual({ prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 });
  });
});

describe("stream_options on the way up", () => {
  test("a stream without include_usage gets it upstream; the client's choice is remembered; the input is untouched", () => {
    const body = { model: "m", stream: true, stream_options: { other: 1 } };
    const p = prepareChatRequest(body);
    expect(p).toEqual({ body: { model: "m", stream: true, stream_options: { other: 1, include_usage: true } }, stream: true, clientWantsUsage: false });
    expect(body.stream_options).toEqual({ other: 1 });
  });

  test("a client that asked keeps its body as is; a non-stream request is left alone", () => {
    const asked = { stream: true, stream_options: { include_usage: true } };
    expect(prepareChatRequest(asked)).toEqual({ body: asked, stream: true, clientWantsUsage: true });
    const plain = { stream: false };
    expect(prepareChatRequest(plain).body).toBe(plain);
    expect(prepareChatRequest({ stream: true, stream_options: null }).body.stream_options).toEqual({ include_usage: true });
  });
});

describe("deferred loading", () => {
  test("a counter made with deferLoad loads nothing until startLoading(), then once", async () => {
    let loads = 0;
    const load = async () => {
      loads++;
      return (t: string) => t.length;
    };
    const deferred = createTokenCounter({ deferLoad: true, load });
    await Bun.sleep(5);
    expect([loads, deferred.loaded()]).toEqual([0, false]);
    deferred.startLoading();
    deferred.startLoading();
    await deferred.ready;
    expect([loads, deferred.loaded(), deferred.count("abcdefghij")]).toEqual([1, true, 10]);
  });

  test("the first count() starts the load and is approximate; later counts are exact, and it loads once", async () => {
    let loads = 0;
    const load = async () => {
      loads++;
      return (t: string) => t.length;
    };
    const deferred = createTokenCounter({ deferLoad: true, load });
    await Bun.sleep(5);
    expect(loads).toBe(0);
    expect(deferred.count("abcdefghijklmnop")).toBe(approximateTokens("abcdefghijklmnop"));
    deferred.count("a");
    await deferred.ready;
    expect([loads, deferred.count("abcdefghijklmnop")]).toEqual([1, 16]);
  });
});
