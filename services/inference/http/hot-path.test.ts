// The hot path: it takes only plain calls, answers them exactly as the Hono routes do, and hands everything else over intact.
import { afterAll, beforeAll, describe, expect, spyOn, test } from "bun:test";
import type { Principal } from "../../../lib/auth/principal.ts";
import { createHttpMetricFamilies } from "../../../lib/http/http-metrics.ts";
import { createLogger, silentLogger } from "../../../lib/logging/logger.ts";
import { createRegistry } from "../../../lib/metrics/registry.ts";
import { createInferenceMetrics } from "../metrics/inference-metrics.ts";
import { oipHotRoutes } from "../oip/handlers.ts";
import { InferRequest } from "../oip/schemas.ts";
import { openAiHotRoutes } from "../openai/handlers.ts";
import { ChatCompletionRequest } from "../openai/schemas.ts";
import { type Harness, inferenceHarness } from "../testing/harness.ts";
import { type ModelBackend, modelBackend } from "../testing/model-backend.ts";
import { createHotPath } from "./hot-path.ts";

const MODELS = (url: string) => ({
  "lang-id": { protocol: "oip-v2", backends: [{ url }], maxRequestBytes: 4096, maxTensorElements: 2 },
  "echo-chat": { protocol: "openai", backends: [{ url }] },
});
const BODY = JSON.stringify({ id: "r-1", inputs: [{ name: "text", shape: [1], datatype: "BYTES", data: ["bonjour"] }] });

let backend: ModelBackend;
let plain: Harness;
beforeAll(async () => {
  backend = modelBackend();
  plain = await inferenceHarness(MODELS(backend.url));
});
afterAll(async () => {
  await plain.close();
  await backend.stop();
});

describe("which requests it takes", () => {
  const GOOD = "good.token.sig";
  const NO_SCOPE = "other.token.sig";
  let handedOver: { url: string; method: string; body: string; type: string | null }[];
  let hot: (req: Request) => Promise<Response> | undefined;
  beforeAll(() => {
    handedOver = [];
    const principals: Record<string, Principal> = {
      [GOOD]: { subject: "alice", scopes: new Set(["inference:invoke"]) },
      [NO_SCOPE]: { subject: "bob", scopes: new Set(["orders:read"]) },
    };
    const registry = createRegistry();
    const call = { hooks: {}, metrics: createInferenceMetrics(registry, plain.pools), pools: plain.pools };
    hot = createHotPath({
      routes: [...oipHotRoutes(call), ...openAiHotRoutes(call)],
      verifyToken: async (t) => {
        const p = principals[t];
        if (!p) throw new Error("invalid");
        return p;
      },
      log: silentLogger,
      http: createHttpMetricFamilies(registry),
      fallback: async (req) => {
        handedOver.push({ url: req.url, method: req.method, body: await req.text(), type: req.headers.get("content-type") });
        return new Response("fallback", { status: 599 });
      },
    });
  });
  // As a listener hands it over: a fixed-length body declares its length (a Request made here would not).
  const request = (over: { path?: string; headers?: Record<string, string>; body?: string | ReadableStream } = {}) => {
    const body = over.body ?? BODY;
    const length: Record<string, string> = typeof body === "string" ? { "content-length": String(Buffer.byteLength(body)) } : {};
    return new Request(`http://inference.test${over.path ?? "/v1/models/lang-id/infer"}`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${GOOD}`, ...length, ...over.headers },
      body,
    });
  };
  /** What became of a request: answered by the hot path, handed over (with the body read or not), or never taken. */
  const outcome = async (req: Request) => {
    const before = handedOver.length;
    const res = hot(req);
    if (res === undefined) return "not taken";
    const answer = await res;
    if (handedOver.length > before) return `handed over: ${handedOver.at(-1)?.body === BODY ? "body intact" : `body ${handedOver.at(-1)?.body}`}`;
    return `answered ${answer.status}`;
  };

  test("plain calls (infer, chat, embeddings) are answered by the hot path, from the model server", async () => {
    const calls = backend.calls().length;
    expect(await outcome(request())).toBe("answered 200");
    expect(backend.calls().length).toBe(calls + 1);
    const chat = JSON.stringify({ model: "echo-chat", messages: [{ role: "user", content: "hi" }] });
    expect(await outcome(request({ path: "/v1/chat/completions", body: chat }))).toBe("answered 200");
    const embed = JSON.stringify({ model: "echo-chat", input: "hi" });
    expect(await outcome(request({ path: "/v1/embeddings", body: embed }))).toBe("answered 200");
    expect(backend.calls().length).toBe(calls + 3);
  });

  test("the common infer and chat bodies are taken without the schema; others go through it", async () => {
    const schema = spyOn(InferRequest, "safeParse");
    const chatSchema = spyOn(ChatCompletionRequest, "safeParse");
    try {
      expect(await outcome(request())).toBe("answered 200");
      expect(schema).toHaveBeenCalledTimes(0);
      const withParameters = JSON.stringify({ ...JSON.parse(BODY), parameters: { priority: 1 } });
      expect(await outcome(request({ body: withParameters }))).toBe("answered 200");
      expect(schema).toHaveBeenCalledTimes(1);
      const chat = { model: "echo-chat", messages: [{ role: "user", content: "hi" }] };
      expect(await outcome(request({ path: "/v1/chat/completions", body: JSON.stringify(chat) }))).toBe("answered 200");
      expect(chatSchema).toHaveBeenCalledTimes(0);
      const odd = `{"__proto__":{},${JSON.stringify(chat).slice(1)}`; // an own __proto__ key: the schema's case
      expect(await outcome(request({ path: "/v1/chat/completions", body: odd }))).toBe("answered 200");
      expect(chatSchema).toHaveBeenCalledTimes(1);
    } finally {
      schema.mockRestore();
      chatSchema.mockRestore();
    }
  });

  test("anything out of the ordinary is left to the Hono route before the body is read", async () => {
    expect(await outcome(request({ path: "/v1/models/lang-id/infer?x=1" }))).toBe("not taken");
    expect(await outcome(request({ headers: { "content-type": "text/plain" } }))).toBe("not taken");
    expect(await outcome(request({ headers: { "content-type": "application/json; charset=latin1" } }))).toBe("not taken");
    expect(await outcome(request({ path: "/v1/models/echo-chat/infer" }))).toBe("not taken");
    expect(await outcome(request({ path: "/v1/chat/completions/" }))).toBe("not taken");
    expect(await outcome(request({ path: "/v1/completions" }))).toBe("not taken");
    expect(await outcome(request({ path: "/v1/models/nope/infer" }))).toBe("not taken");
    expect(await outcome(request({ path: "/v1/models/lang-id%2F..%2Fx/infer" }))).toBe("not taken");
    expect(await outcome(request({ headers: { authorization: "Basic abc" } }))).toBe("not taken");
    expect(await outcome(request({ body: "x".repeat(5000) }))).toBe("not taken");
    const chunked = new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode(BODY));
        c.close();
      },
    });
    expect(await outcome(request({ body: chunked }))).toBe("not taken");
  });

  test("an upload that breaks off is answered with a problem, never a rejection left to the runtime", async () => {
    const broken = new ReadableStream({
      pull(c) {
        c.error(new Error("client gone"));
      },
    });
    const res = await hot(request({ body: broken, headers: { "content-length": "100" } }));
    expect(res?.status).toBe(500);
    expect(res?.headers.get("content-type")).toContain("application/problem+json");
  });

  test("a token or scope it cannot accept, and a body the schema refuses, are handed over with the body intact", async () => {
    expect(await outcome(request({ headers: { authorization: "Bearer bad.token.sig" } }))).toBe("handed over: body intact");
    expect(await outcome(request({ headers: { authorization: `Bearer ${NO_SCOPE}` } }))).toBe("handed over: body intact");
    const invalid = JSON.stringify({ inputs: [{ name: "t", shape: [2], datatype: "BYTES", data: ["one"] }] });
    expect(await outcome(request({ body: invalid }))).toBe(`handed over: body ${invalid}`);
    expect(await outcome(request({ body: "{not json" }))).toBe("handed over: body {not json");
    expect(handedOver.at(-1)).toMatchObject({ method: "POST", type: "application/json", url: "http://inference.test/v1/models/lang-id/infer" });
  });
});

describe("the same answer as the Hono route", () => {
  const lines: { hot: string[]; hono: string[] } = { hot: [], hono: [] };
  let hot: Harness;
  let hono: Harness;
  beforeAll(async () => {
    const log = (into: string[]) => createLogger({ service: "inference", level: "info", sink: (l) => into.push(l) });
    // The hot path as run.ts sets it up: its access lines written straight to the sink.
    hot = await inferenceHarness(MODELS(backend.url), {}, undefined, { log: log(lines.hot), logSink: (l) => lines.hot.push(l) });
    hono = await inferenceHarness(MODELS(backend.url), {}, undefined, { log: log(lines.hono), hotPath: false });
  });
  afterAll(async () => {
    await hot.close();
    await hono.close();
  });

  const call = (h: Harness, body: string, path = "/v1/models/lang-id/infer") =>
    h.post(path, body, {
      headers: { "x-request-id": "same-id", traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" },
    });
  /** The access line without what differs by nature (time, duration, the span id each request gets). */
  const accessLine = (all: string[]) => {
    const { time, duration_ms, span_id, ...rest } = JSON.parse(all.findLast((l) => l.includes('"msg":"request"')) ?? "{}");
    expect(typeof time).toBe("string");
    expect(typeof duration_ms).toBe("number");
    expect(span_id).toMatch(/^[0-9a-f]{16}$/);
    return rest;
  };
  const headersOf = (res: Response) => Object.fromEntries([...res.headers].filter(([k]) => k !== "date" && k !== "content-length"));

  const chat = (over: Record<string, unknown> = {}) =>
    JSON.stringify({ model: "echo-chat", messages: [{ role: "user", content: "hello there" }], max_tokens: 8, ...over });
  for (const [name, path, body] of [
    ["an infer call", "/v1/models/lang-id/infer", BODY],
    [
      "an infer call over the model's element cap",
      "/v1/models/lang-id/infer",
      JSON.stringify({ inputs: [{ name: "t", shape: [3], datatype: "BYTES", data: ["a", "b", "c"] }] }),
    ],
    ["a chat completion", "/v1/chat/completions", chat()],
    ["a streamed chat completion (usage asked for)", "/v1/chat/completions", chat({ stream: true, stream_options: { include_usage: true } })],
    ["a streamed chat completion (no usage asked)", "/v1/chat/completions", chat({ stream: true })],
    ["a chat completion for a model the registry does not have", "/v1/chat/completions", chat({ model: "nope" })],
    ["embeddings", "/v1/embeddings", JSON.stringify({ model: "echo-chat", input: ["a", "bc"] })],
  ] as const) {
    test(`${name}: status, headers, body, access-log line and http_* series agree`, async () => {
      const [a, b] = [await call(hot, body, path), await call(hono, body, path)];
      expect(a.status).toBe(b.status);
      expect(headersOf(a)).toEqual(headersOf(b));
      expect(await a.text()).toBe(await b.text());
      // A stream's line is written when it is over: a moment after the last byte.
      await Bun.sleep(20);
      expect(accessLine(lines.hot)).toEqual(accessLine(lines.hono));
      const series = (text: string) =>
        text.split("\n").filter((l) => l.startsWith("http_requests_total{") && l.includes(path.includes("infer") ? "infer" : path));
      expect(series(await hot.metrics())).toEqual(series(await hono.metrics()));
    });
  }

  test("the model server sees the same request from both", async () => {
    const seen = async (h: Harness) => {
      await call(h, BODY);
      const { headers, body, path, method } = backend.calls().at(-1) ?? ({} as never);
      // The same trace, each with its own span id.
      return { method, path, body, requestId: headers["x-request-id"], trace: headers.traceparent?.replace(/-[0-9a-f]{16}-/, "-(span)-") };
    };
    expect(await seen(hot)).toEqual(await seen(hono));
  });
});
