// Gateway → inference → development model server, three real processes: answers through the gateway equal the model server's own.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { ServiceProcess } from "../../lib/testing/service-process.ts";
import { now } from "../../tools/model-server/control/stats.ts";
import { readSse } from "../../tools/model-server/testing/sse.ts";
import type { TestModelServer } from "../../tools/model-server/testing/start.ts";
import { type InferenceStack, startInferenceStack } from "./inference-stack.ts";

const TEXTS = ["Bonjour tout le monde, comment allez-vous ?", "Guten Morgen, wie geht es dir?", "The weather is lovely today", "¿Dónde está la biblioteca?"];
const json = { "content-type": "application/json" };

/** Calls the model server got on its model routes (the inference service's readiness checks are GETs and may come any time). */
const modelCalls = async (server: TestModelServer) => Object.entries((await server.stats()).requests).filter(([route]) => route.startsWith("POST "));

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, { method: "POST", headers: { ...json, ...headers }, body: JSON.stringify(body) });

/** The delta contents, finish reasons and usage of a chat stream's events, without the per-call id and timestamp. */
/**
 * Each event's choices and usage. `usage: null` counts as absent: inference asks every backend for usage (to settle
 * token budgets), and an OpenAI-compatible server then marks every chunk `"usage": null`; the chunks pass through
 * unparsed, and only the usage-only chunk the client did not ask for is removed.
 */
const streamed = (events: { data: string }[]) =>
  events.map((e) => {
    if (e.data === "[DONE]") return "[DONE]";
    const chunk = JSON.parse(e.data) as { choices: { delta: unknown; finish_reason: unknown }[]; usage?: unknown };
    return { choices: chunk.choices.map((c) => ({ delta: c.delta, finish_reason: c.finish_reason })), usage: chunk.usage ?? undefined };
  });

/** The reply a chat stream carries: its deltas' content joined. */
const streamedText = (events: { data: string }[]) =>
  streamed(events)
    .flatMap((e) => (e === "[DONE]" ? [] : e.choices.map((c) => (c.delta as { content?: string }).content ?? "")))
    .join("");

describe("gateway → inference → model server (processes)", () => {
  let stack: InferenceStack;
  let models: TestModelServer;
  let gateway: ServiceProcess;
  let auth: Record<string, string>;

  beforeAll(async () => {
    stack = await startInferenceStack();
    ({ models, gateway } = stack);
    auth = { authorization: `Bearer ${stack.userToken("inference:invoke")}` };
  }, 90_000);

  afterAll(async () => {
    await stack?.stop();
  });

  test("the registry lists the four development models, ready", async () => {
    const res = await fetch(`${gateway.url}/v1/models`, { headers: auth });
    expect(res.status).toBe(200);
    const { data } = (await res.json()) as { data: { id: string; protocol: string; ready: boolean }[] };
    expect(data.map((m) => [m.id, m.protocol, m.ready]).sort()).toEqual([
      ["echo-chat", "openai", true],
      ["lang-id", "oip-v2", true],
      ["lang-id-embed", "openai", true],
      ["sentiment", "oip-v2", true],
    ]);
  });

  test("OIP lang-id with top_k: labels and probabilities equal the model server's, the request id echoed", async () => {
    const body = {
      id: "e2e-1",
      parameters: { top_k: 2 },
      inputs: [{ name: "text", shape: [2, 2], datatype: "BYTES", data: [TEXTS.slice(0, 2), TEXTS.slice(2)] }],
    };
    const direct = await post(`${models.url}/v2/models/lang-id/infer`, body);
    const viaGateway = await post(`${gateway.url}/v1/models/lang-id/infer`, body, auth);
    expect(viaGateway.status).toBe(200);
    const [d, g] = [await direct.json(), await viaGateway.json()];
    expect(g).toEqual(d);
    expect(g.id).toBe("e2e-1");
    const labels = g.outputs.find((o: { name: string }) => o.name === "label");
    expect(labels.shape).toEqual([2, 2, 2]);
    expect(labels.data.filter((_: string, i: number) => i % 2 === 0)).toEqual(["fr", "de", "en", "es"]); // best guess first
  });

  test("OIP sentiment: scores equal the model server's", async () => {
    const body = { inputs: [{ name: "text", shape: [3], datatype: "BYTES", data: ["I love this, it is wonderful", "I hate it, awful", "It is not bad"] }] };
    const d = await (await post(`${models.url}/v2/models/sentiment/infer`, body)).json();
    const res = await post(`${gateway.url}/v1/models/sentiment/infer`, body, auth);
    expect(res.status).toBe(200);
    const g = await res.json();
    expect(g).toEqual(d);
    const [love, hate] = g.outputs[0].data as number[];
    expect(love).toBeGreaterThan(0);
    expect(hate).toBeLessThan(0);
  });

  test("embeddings: the vectors and usage equal the model server's", async () => {
    const body = { model: "lang-id-embed", input: TEXTS };
    const d = await (await post(`${models.url}/v1/embeddings`, body)).json();
    const res = await post(`${gateway.url}/v1/embeddings`, body, auth);
    expect(res.status).toBe(200);
    const g = await res.json();
    expect(g.data).toEqual(d.data);
    expect(g.data).toHaveLength(4);
    expect(g.data[0].embedding).toHaveLength(16);
    expect(g.usage).toEqual(d.usage);
    expect(g.model).toBe("lang-id-embed");
  });

  test("chat completion, not streamed: the content and usage equal the model server's", async () => {
    const body = { model: "echo-chat", messages: [{ role: "user", content: "Hello there, platform!" }], max_tokens: 50 };
    const d = await (await post(`${models.url}/v1/chat/completions`, body)).json();
    const res = await post(`${gateway.url}/v1/chat/completions`, body, auth);
    expect(res.status).toBe(200);
    const g = await res.json();
    expect(g.choices).toEqual(d.choices);
    expect(g.choices[0].message.content).toBe("Hello there, platform!");
    expect(g.usage).toEqual(d.usage);
  });

  test("a streamed chat arrives whole through the gateway, event for event as the model server sends it, ending in [DONE]", async () => {
    // echo-chat echoes the last user message token by token: 300 words, 300 tokens, 303 events.
    const content = Array.from({ length: 300 }, (_, i) => `word${i % 10}`).join(" ");
    const body = { model: "echo-chat", stream: true, messages: [{ role: "user", content }] };
    const direct = await readSse(await post(`${models.url}/v1/chat/completions`, body));
    const res = await post(`${gateway.url}/v1/chat/completions`, body, auth);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toStartWith("text/event-stream");
    const events = await readSse(res);
    expect(direct.length).toBeGreaterThanOrEqual(303); // role chunk, ≥ 300 tokens, finish chunk, [DONE]
    expect(events).toHaveLength(direct.length);
    expect(streamedText(events)).toBe(content);
    expect(streamed(events)).toEqual(streamed(direct));
    expect(events.at(-1)?.data).toBe("[DONE]");
    expect(streamed(events).some((e) => e !== "[DONE]" && e.usage !== undefined)).toBe(false); // not asked for: not sent
  }, 20_000);

  test("the client going away mid-stream through the gateway cancels the model server's generation within 100 ms", async () => {
    // 2 ms a token (the stack's cadence): 3,000 tokens take 6 s, and the client leaves after 20 events.
    const content = Array.from({ length: 3000 }, (_, i) => `w${i}`).join(" ");
    const ac = new AbortController();
    const res = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: "POST",
      headers: { ...json, ...auth, "x-request-id": "gateway-client-leaves" },
      body: JSON.stringify({ model: "echo-chat", stream: true, messages: [{ role: "user", content }] }),
      signal: ac.signal,
    });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let received = 0;
    while (received < 20) received += (await reader.read()).value?.byteLength ? 1 : 0;
    const left = now();
    ac.abort();
    let aborted: number | undefined;
    for (let i = 0; i < 100 && aborted === undefined; i++) {
      aborted = (await models.stats()).recent.find((r) => r.headers["x-request-id"] === "gateway-client-leaves")?.abortedAt;
      if (aborted === undefined) await Bun.sleep(10);
    }
    expect(aborted).toBeNumber();
    expect((aborted as number) - left).toBeLessThan(100);
  });

  test("a streamed chat asking for usage gets the model server's true usage before [DONE]", async () => {
    const body = { model: "echo-chat", stream: true, stream_options: { include_usage: true }, messages: [{ role: "user", content: "Count me" }] };
    const direct = await readSse(await post(`${models.url}/v1/chat/completions`, body));
    const events = await readSse(await post(`${gateway.url}/v1/chat/completions`, body, auth));
    expect(streamed(events)).toEqual(streamed(direct));
    const usage = JSON.parse(events.at(-2)?.data ?? "{}").usage;
    expect(usage.completion_tokens).toBeGreaterThan(0);
  });

  test("without the inference:invoke scope → 403; without a token → 401; the model server sees neither", async () => {
    await models.resetStats();
    const body = { inputs: [{ name: "text", shape: [1], datatype: "BYTES", data: ["hello"] }] };
    const other = { authorization: `Bearer ${stack.userToken("orders:read orders:write")}` };
    const forbidden = await post(`${gateway.url}/v1/models/lang-id/infer`, body, other);
    expect(forbidden.status).toBe(403);
    expect(forbidden.headers.get("content-type")).toBe("application/problem+json");
    expect((await post(`${gateway.url}/v1/chat/completions`, { model: "echo-chat", messages: [] }, other)).status).toBe(403);
    expect((await fetch(`${gateway.url}/v1/models`, { headers: other })).status).toBe(403);
    expect((await post(`${gateway.url}/v1/embeddings`, { model: "lang-id-embed", input: "x" })).status).toBe(401);
    expect(await modelCalls(models)).toEqual([]);
  });

  test("model names with traversal or other spellings: 404 (or the gateway's 400 for dot segments and encoded separators), nothing upstream", async () => {
    await models.resetStats();
    const body = { inputs: [{ name: "text", shape: [1], datatype: "BYTES", data: ["hello"] }] };
    // Reach inference, which matches the raw segment exactly against the registry.
    for (const name of ["%252e%252e", "lang-id%00", "LANG-ID", "lang-id%20", "%6cang-id", "lang-id;", "lang-id..%252fsentiment"]) {
      const res = await post(`${gateway.url}/v1/models/${name}/infer`, body, auth);
      expect([name, res.status, res.headers.get("content-type")]).toEqual([name, 404, "application/problem+json"]);
      expect((await res.json()).code).toBe("model_not_found");
    }
    // Segments starting with a dot, encoded slashes, dots and backslashes are refused at the edge already.
    for (const name of ["..lang-id", "..%2Flang-id", "lang-id%2F..%2Fsentiment", "..%5Csentiment"]) {
      const res = await post(`${gateway.url}/v1/models/${name}/infer`, body, auth);
      expect([name, res.status]).toEqual([name, 400]);
    }
    // OpenAI routes take the name from the body: matched exactly too.
    for (const model of ["../echo-chat", "echo-chat/../lang-id-embed", "lang-id", "Echo-Chat"]) {
      const res = await post(`${gateway.url}/v1/chat/completions`, { model, messages: [{ role: "user", content: "hi" }] }, auth);
      expect([model, res.status]).toEqual([model, 404]);
    }
    expect(await modelCalls(models)).toEqual([]);
  });
});
