// echo-chat over real HTTP: full completions with true usage, SSE streams at the cadence, usage chunk on request.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { encode, encodeChat } from "gpt-tokenizer";
import { readSse } from "../testing/sse.ts";
import { startTestModelServer, type TestModelServer } from "../testing/start.ts";

let server: TestModelServer;
beforeAll(async () => {
  server = await startTestModelServer({ cadenceMs: 20 });
});
afterAll(() => server.stop());

const messages = [
  { role: "system", content: "You are terse." },
  { role: "user", content: "Tell me about Paris." },
  { role: "assistant", content: "It is in France." },
  { role: "user", content: "And what about Berlin in spring?" },
];
const chat = (body: object, headers: Record<string, string> = {}) =>
  fetch(`${server.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ model: "echo-chat", messages, ...body }),
  });
const parse = (data: string) =>
  JSON.parse(data) as { choices: { delta: { content?: string; role?: string }; finish_reason: string | null }[]; usage?: unknown };

describe("non-streaming", () => {
  test("echoes the last user message with true usage (prompt counted over the chat format)", async () => {
    const res = await chat({});
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.object).toBe("chat.completion");
    expect(body.model).toBe("echo-chat");
    expect(body.id).toMatch(/^chatcmpl-/);
    expect(body.choices).toEqual([
      { index: 0, message: { role: "assistant", content: "And what about Berlin in spring?", refusal: null }, logprobs: null, finish_reason: "stop" },
    ]);
    const prompt = encodeChat(messages as Parameters<typeof encodeChat>[0], "gpt-4o").length;
    const completion = encode("And what about Berlin in spring?").length;
    expect(body.usage).toEqual({ prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion });
  });

  test("max_tokens cuts the reply (finish_reason length); a chunk count makes it longer by repeating", async () => {
    const cut = await (await chat({ max_tokens: 3 })).json();
    expect(cut.choices[0].finish_reason).toBe("length");
    expect(cut.usage.completion_tokens).toBe(3);
    expect(cut.choices[0].message.content).toBe("And what about");
    const long = await (await chat({}, { "x-model-server-chunks": "20" })).json();
    expect(long.usage.completion_tokens).toBe(20);
    expect(long.choices[0].message.content.startsWith("And what about Berlin in spring?And what")).toBe(true);
    expect(long.choices[0].finish_reason).toBe("stop");
  });

  test("rejects n > 1, unknown models and bad overrides with OpenAI error objects", async () => {
    const n2 = await chat({ n: 2 });
    expect(n2.status).toBe(400);
    expect((await n2.json()).error.message).toContain("n = 1");
    const unknown = await chat({ model: "gpt-4o" });
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error.code).toBe("model_not_found");
    const bad = await chat({}, { "x-model-server-cadence-ms": "soon" });
    expect(bad.status).toBe(400);
    expect((await chat({ messages: [] })).status).toBe(400);
  });
});

describe("streaming", () => {
  test("N content chunks at about the cadence, then the finish chunk and [DONE]", async () => {
    const started = performance.now();
    const res = await chat({ stream: true }, { "x-model-server-chunks": "10" });
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    const events = await readSse(res);
    const elapsed = performance.now() - started;
    // role chunk, 10 content chunks, finish chunk, [DONE]: 13 events, 12 gaps of 20 ms.
    expect(events.length).toBe(13);
    expect(events.at(-1)?.data).toBe("[DONE]");
    const chunks = events.slice(0, -1).map((e) => parse(e.data));
    expect(chunks[0]?.choices[0]?.delta).toEqual({ role: "assistant", content: "", refusal: null } as never);
    expect(chunks.slice(1, 11).every((c) => c.choices[0]?.finish_reason === null && typeof c.choices[0]?.delta.content === "string")).toBe(true);
    expect(chunks[11]?.choices[0]?.finish_reason).toBe("stop");
    expect(chunks.every((c) => !("usage" in c))).toBe(true);
    expect(elapsed).toBeGreaterThanOrEqual(12 * 20 - 5);
    // The server's own send times, scheduled from the first chunk: chunk i never before i × 20 ms (a late chunk is
    // followed by a shorter gap, so the pace does not drift), and the whole stream about 12 × 20 ms.
    const rec = (await server.stats()).recent.findLast((r) => r.route === "POST /v1/chat/completions");
    const sent = rec?.chunksSentAt ?? [];
    expect(sent.length).toBe(13);
    sent.forEach((t, i) => {
      expect(t - (sent[0] as number)).toBeGreaterThanOrEqual(i * 20 - 1);
    });
    expect((sent.at(-1) as number) - (sent[0] as number)).toBeLessThan(12 * 20 + 30);
  });

  test("include_usage: every chunk has usage null, then one chunk with empty choices and the true usage", async () => {
    const events = await readSse(await chat({ stream: true, stream_options: { include_usage: true } }, { "x-model-server-cadence-ms": "0" }));
    expect(events.at(-1)?.data).toBe("[DONE]");
    const chunks = events.slice(0, -1).map((e) => parse(e.data));
    const last = chunks.at(-1);
    expect(last?.choices).toEqual([]);
    const completion = encode("And what about Berlin in spring?").length;
    const prompt = encodeChat(messages as Parameters<typeof encodeChat>[0], "gpt-4o").length;
    expect(last?.usage).toEqual({ prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion });
    expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);
    expect(chunks.length).toBe(completion + 3);
  });

  test("the deltas concatenate to the non-streamed reply, multi-byte characters included", async () => {
    const text = "Grüße aus Köln 😀 und 日本語 too";
    const body = { messages: [{ role: "user", content: text }] };
    const events = await readSse(await chat({ ...body, stream: true }, { "x-model-server-cadence-ms": "0" }));
    const joined = events
      .slice(0, -1)
      .map((e) => parse(e.data).choices[0]?.delta.content ?? "")
      .join("");
    expect(joined).toBe(text);
    expect((await (await chat(body)).json()).choices[0].message.content).toBe(text);
  });

  test("a 2,000-chunk stream at cadence 0 arrives complete and in order", async () => {
    const events = await readSse(
      await chat(
        { stream: true, messages: [{ role: "user", content: "one two three four five" }] },
        { "x-model-server-cadence-ms": "0", "x-model-server-chunks": "2000" },
      ),
    );
    expect(events.length).toBe(2003);
    const pieces = events.slice(1, 2001).map((e) => parse(e.data).choices[0]?.delta.content);
    const cycle = ["one", " two", " three", " four", " five"];
    expect(pieces).toEqual(Array.from({ length: 2000 }, (_, i) => cycle[i % 5]));
  });
});
