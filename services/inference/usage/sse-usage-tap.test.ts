// The SSE usage tap: byte-exact passthrough at every split, usage read and stripped, estimates, limits, no buffering.
import { describe, expect, spyOn, test } from "bun:test";
import { SseFramingError } from "./sse-event-splitter.ts";
import { createSseUsageTap, type SseUsageTapOptions } from "./sse-usage-tap.ts";
import type { TokenUsage } from "./token-usage.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();
/** A deterministic stand-in tokenizer: one token per character. */
const chars = (t: string) => t.length;

const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
  `data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", created: 7, model: "m", choices: [{ index: 0, delta, finish_reason: finish }], usage: null })}`;
const USAGE_EVENT = `data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", created: 7, model: "m", choices: [], usage: { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 } })}`;
const CONTENT = ["Hel", "lo, ", 'the "usage": 5 ', "world"];

/** An OpenAI stream as a backend asked for include_usage sends it; `eol` is the line ending. */
function stream(eol = "\n", withUsage = true): { full: string; withoutUsage: string } {
  const events = [chunk({ role: "assistant", content: "" }), ...CONTENT.map((c) => chunk({ content: c })), chunk({}, "stop")];
  const head = events.map((e) => `${e}${eol}${eol}`).join("");
  const usage = withUsage ? `${USAGE_EVENT}${eol}${eol}` : "";
  const done = `data: [DONE]${eol}${eol}`;
  return { full: head + usage + done, withoutUsage: head + done };
}

async function run(chunks: readonly Uint8Array[], opts: Partial<SseUsageTapOptions> = {}) {
  let ended: { usage: TokenUsage; completed: boolean } | undefined;
  const tap = createSseUsageTap({
    stripUsageChunk: true,
    promptTokens: () => 9,
    count: chars,
    ...opts,
    onEnd: (usage, completed) => (ended = { usage, completed }),
  });
  const source = new ReadableStream<Uint8Array>({
    start(c) {
      for (const ch of chunks) c.enqueue(ch);
      c.close();
    },
  });
  const parts: Uint8Array[] = [];
  for await (const p of source.pipeThrough(tap)) parts.push(p);
  const text = parts.map((p) => dec.decode(p, { stream: true })).join("") + dec.decode();
  return { text, parts, ended, tap };
}

const splitAt = (bytes: Uint8Array, ...cuts: number[]) => {
  const out: Uint8Array[] = [];
  let from = 0;
  for (const c of [...cuts, bytes.length]) {
    out.push(bytes.slice(from, c));
    from = c;
  }
  return out;
};

const REPORTED = { inputTokens: 12, outputTokens: 5, totalTokens: 17, estimated: false };

describe("SSE usage tap: byte-exact at every split", () => {
  for (const [name, eol] of [
    ["LF", "\n"],
    ["CRLF", "\r\n"],
    ["CR", "\r"],
  ] as const) {
    test(`${name}: split in two at every byte, output = input minus the usage chunk, usage read`, async () => {
      const { full, withoutUsage } = stream(eol);
      const bytes = enc.encode(full);
      for (let k = 1; k < bytes.length; k++) {
        const r = await run(splitAt(bytes, k));
        if (r.text !== withoutUsage) throw new Error(`${name}: split at ${k} gave ${JSON.stringify(r.text)}`);
        expect(r.ended).toEqual({ usage: REPORTED, completed: true });
      }
    });

    test(`${name}: one byte per chunk, and the client that asked for usage gets the input unchanged`, async () => {
      const { full, withoutUsage } = stream(eol);
      const bytes = enc.encode(full);
      const single = Array.from(bytes, (b) => Uint8Array.of(b));
      expect((await run(single)).text).toBe(withoutUsage);
      const kept = await run(single, { stripUsageChunk: false });
      expect(kept.text).toBe(full);
      expect(kept.ended?.usage).toEqual(REPORTED);
    });
  }

  test("random chunkings of a 300-event stream with mixed line endings keep every byte in order", async () => {
    let seed = 42;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const eols = ["\n", "\r\n", "\r"];
    let full = ": keep-alive\n\n";
    for (let i = 0; i < 300; i++) {
      const eol = eols[i % 3] as string;
      full += `${chunk({ content: `tok${i} ü€😀` })}${eol}${eol}`;
    }
    const usage = `${USAGE_EVENT}\r\n\r\n`;
    const done = "data: [DONE]\n\n";
    const bytes = enc.encode(full + usage + done);
    for (let round = 0; round < 50; round++) {
      const cuts: number[] = [];
      for (let at = 0; ; ) {
        at += 1 + Math.floor(rand() * 200);
        if (at >= bytes.length) break;
        cuts.push(at);
      }
      const r = await run(splitAt(bytes, ...cuts));
      expect(r.text).toBe(full + done);
      expect(r.ended?.usage).toEqual(REPORTED);
    }
  });
});

describe("SSE usage tap: what it reads and strips", () => {
  test('`usage: null` chunks and a content that spells "usage" are passed through, never taken for usage', async () => {
    const { withoutUsage } = stream("\n", false);
    const r = await run([enc.encode(withoutUsage)], { stripUsageChunk: false });
    expect(r.ended?.usage.estimated).toBe(true);
  });

  test("only the usage chunk is parsed, also when the client asked for usage (the hot path parses no more)", async () => {
    const parse = spyOn(JSON, "parse");
    try {
      for (const stripUsageChunk of [true, false]) {
        parse.mockClear();
        const r = await run([enc.encode(stream().full)], { stripUsageChunk });
        expect(r.ended?.usage).toEqual(REPORTED);
        expect(parse).toHaveBeenCalledTimes(1);
      }
    } finally {
      parse.mockRestore();
    }
  });

  test("usage on a chunk that still has choices is read but kept, even when stripping", async () => {
    const last = `data: ${JSON.stringify({ id: "c1", choices: [{ index: 0, delta: {}, finish_reason: "stop" }], usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 } })}\n\n`;
    const input = `${chunk({ content: "hi" })}\n\n${last}data: [DONE]\n\n`;
    const r = await run([enc.encode(input)]);
    expect(r.text).toBe(input);
    expect(r.ended?.usage).toEqual({ inputTokens: 3, outputTokens: 4, totalTokens: 7, estimated: false });
  });

  test("comments, keep-alives, multi-line data and an unterminated tail pass unchanged", async () => {
    const input = `: ping\n\nevent: message\ndata: {"a":\ndata: 1}\n\nretry: 10\n\ndata: tail-without-blank-line`;
    const r = await run([enc.encode(input)]);
    expect(r.text).toBe(input);
    expect(r.ended?.completed).toBe(false);
  });

  test("a chunk of whole events is forwarded as one piece without copying the bytes", async () => {
    const { withoutUsage } = stream();
    const bytes = enc.encode(withoutUsage);
    const r = await run([bytes]);
    expect(r.parts.length).toBe(1);
    expect((r.parts[0] as Uint8Array).buffer).toBe(bytes.buffer);
  });
});

describe("SSE usage tap: estimates when the backend sends no usage", () => {
  const contentChars = CONTENT.join("").length;

  test("the client asked: an estimated usage chunk is inserted before [DONE]", async () => {
    const { withoutUsage } = stream("\n", false);
    const r = await run([enc.encode(withoutUsage)], { stripUsageChunk: false, promptTokens: () => 9 });
    const expected = { inputTokens: 9, outputTokens: contentChars, totalTokens: 9 + contentChars, estimated: true };
    expect(r.ended).toEqual({ usage: expected, completed: true });
    const events = r.text.split("\n\n").filter(Boolean);
    expect(events.at(-1)).toBe("data: [DONE]");
    const inserted = JSON.parse((events.at(-2) as string).slice(6));
    expect(inserted).toEqual({
      id: "c1",
      object: "chat.completion.chunk",
      created: 7,
      model: "m",
      choices: [],
      usage: { prompt_tokens: 9, completion_tokens: contentChars, total_tokens: 9 + contentChars, estimated: true },
    });
    expect(r.text).toBe(withoutUsage.replace("data: [DONE]", `data: ${JSON.stringify(inserted)}\n\ndata: [DONE]`));
  });

  test("the client did not ask: nothing is inserted, the estimate goes to onEnd", async () => {
    const { withoutUsage } = stream("\n", false);
    const r = await run([enc.encode(withoutUsage)]);
    expect(r.text).toBe(withoutUsage);
    expect(r.ended?.usage).toEqual({ inputTokens: 9, outputTokens: contentChars, totalTokens: 9 + contentChars, estimated: true });
  });

  test("past the retention cap the output count is extrapolated, not dropped", async () => {
    const events = Array.from({ length: 100 }, () => `${chunk({ content: "abcdefghij" })}\n\n`).join("");
    const exact = await run([enc.encode(events)]);
    const capped = await run([enc.encode(events)], { maxRetainedBytes: 2_000 });
    expect(exact.ended?.usage.outputTokens).toBe(1000);
    const est = capped.ended?.usage.outputTokens as number;
    expect(est).toBeGreaterThan(950);
    expect(est).toBeLessThan(1050);
  });
});

describe("SSE usage tap: limits, cancellation and flow", () => {
  test("a line over the cap errors the stream after the complete events before it were delivered", async () => {
    const ok = `${chunk({ content: "a" })}\n\n`;
    const long = `data: ${"x".repeat(300)}`;
    const bytes = enc.encode(ok + long);
    let ended: TokenUsage | undefined;
    const tap = createSseUsageTap({ stripUsageChunk: true, promptTokens: () => 1, count: chars, maxLineBytes: 256, onEnd: (u) => (ended = u) });
    const source = new ReadableStream<Uint8Array>({
      start(c) {
        for (const ch of splitAt(bytes, ok.length + 100, ok.length + 200)) c.enqueue(ch);
        c.close();
      },
    });
    const got: string[] = [];
    const err = await (async () => {
      try {
        for await (const p of source.pipeThrough(tap)) got.push(dec.decode(p));
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(SseFramingError);
    expect((err as SseFramingError).kind).toBe("line_too_long");
    expect(got.join("")).toBe(ok);
    expect(ended?.outputTokens).toBe(1);
  });

  test("an event over the size cap (many short lines, no blank line) errors too", async () => {
    const input = "data: 0123456789\n".repeat(50);
    await expect(run([enc.encode(input)], { maxLineBytes: 64, maxEventBytes: 256 })).rejects.toMatchObject({ kind: "event_too_large" });
  });

  test("each event is readable as soon as it is written: nothing waits for the next one", async () => {
    const tap = createSseUsageTap({ stripUsageChunk: true, promptTokens: () => 0, count: chars });
    const writer = tap.writable.getWriter();
    const reader = tap.readable.getReader();
    for (let i = 0; i < 5; i++) {
      const ev = `${chunk({ content: `t${i}` })}\n\n`;
      void writer.write(enc.encode(ev));
      const { value } = await reader.read();
      expect(dec.decode(value)).toBe(ev);
    }
    // Half an event is held (never half-forwarded) until its blank line arrives.
    void writer.write(enc.encode("data: {}"));
    const pending = reader.read();
    let early = false;
    void pending.then(() => (early = true));
    await Bun.sleep(5);
    expect(early).toBe(false);
    void writer.write(enc.encode("\n\n"));
    expect(dec.decode((await pending).value)).toBe("data: {}\n\n");
  });

  test("a client that goes away mid-stream still yields the usage so far (estimated) through onEnd", async () => {
    let ended: { usage: TokenUsage; completed: boolean } | undefined;
    const tap = createSseUsageTap({ stripUsageChunk: true, promptTokens: () => 4, count: chars, onEnd: (usage, completed) => (ended = { usage, completed }) });
    let i = 0;
    const source = new ReadableStream<Uint8Array>({
      pull(c) {
        c.enqueue(enc.encode(`${chunk({ content: "ab" })}\n\n`));
        i++;
      },
    });
    const reader = source.pipeThrough(tap).getReader();
    for (let n = 0; n < 3; n++) await reader.read();
    await reader.cancel("client gone");
    expect(ended?.completed).toBe(false);
    expect(ended?.usage.estimated).toBe(true);
    expect(ended?.usage.inputTokens).toBe(4);
    // Every event that went through the tap counts (the pipe may have pulled one or two ahead of the reader).
    expect(ended?.usage.outputTokens).toBeGreaterThanOrEqual(6);
    expect(ended?.usage.outputTokens).toBeLessThanOrEqual(2 * i);
    expect(tap.usage()).toEqual(ended?.usage as TokenUsage);
  });
});
