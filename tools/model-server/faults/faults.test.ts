// Every fault mode over real HTTP, by header and process-wide, and the stats a test reads (counts, aborts).
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { now } from "../control/stats.ts";
import { readSse, type SseEvent } from "../testing/sse.ts";
import { startTestModelServer, type TestModelServer } from "../testing/start.ts";

let server: TestModelServer;
beforeAll(async () => {
  server = await startTestModelServer({ cadenceMs: 20 });
});
afterAll(() => server.stop());
beforeEach(async () => {
  await server.clearFault();
  await server.resetStats();
});

const inferBody = JSON.stringify({ inputs: [{ name: "text", shape: [1], datatype: "BYTES", data: ["Bonjour à tous"] }] });
const infer = (headers: Record<string, string> = {}, model = "lang-id", init: RequestInit = {}) =>
  fetch(`${server.url}/v2/models/${model}/infer`, { method: "POST", headers, body: inferBody, ...init });
const stream = (headers: Record<string, string> = {}, init: RequestInit = {}) =>
  fetch(`${server.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "x-model-server-chunks": "10", ...headers },
    body: JSON.stringify({ model: "echo-chat", stream: true, messages: [{ role: "user", content: "one two three" }] }),
    ...init,
  });
const fault = (kind: string, settings: Record<string, string> = {}) => ({
  "x-model-server-fault": kind,
  ...Object.fromEntries(Object.entries(settings).map(([k, v]) => [`x-model-server-${k}`, v])),
});
/** Waits until the server recorded an abort (the signal reaches it a moment after the client's). */
async function abortRecord() {
  for (let i = 0; i < 100; i++) {
    const { aborts } = await server.stats();
    if (aborts.length > 0) return aborts[0];
    await Bun.sleep(5);
  }
  throw new Error("no abort recorded");
}

describe("answers replaced", () => {
  test("fail: 500 (or the given status) with the protocol's error body", async () => {
    const oip = await infer(fault("fail"));
    expect(oip.status).toBe(500);
    expect(typeof (await oip.json()).error).toBe("string");
    const openai = await stream(fault("fail", { status: "502" }));
    expect(openai.status).toBe(502);
    expect((await openai.json()).error.type).toBe("server_error");
  });

  test("unavailable: 503 with Retry-After", async () => {
    const res = await infer(fault("unavailable", { "retry-after": "7" }));
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("7");
    expect(typeof (await res.json()).error).toBe("string");
  });

  test("redirect: 302 to the given location, not followed by the server", async () => {
    const res = await infer(fault("redirect", { location: "http://169.254.169.254/latest/meta-data/" }), "lang-id", { redirect: "manual" });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("http://169.254.169.254/latest/meta-data/");
  });

  test("malformed fault headers are a 400", async () => {
    expect((await infer(fault("explode"))).status).toBe(400);
    expect((await infer(fault("slow", { "delay-ms": "-1" }))).status).toBe(400);
  });
});

describe("usage withheld", () => {
  test("no-usage: no usage in a completion, an embedding, or a stream that asked for it", async () => {
    const chatBody = (stream: boolean) =>
      JSON.stringify({ model: "echo-chat", stream, stream_options: stream ? { include_usage: true } : undefined, messages: [{ role: "user", content: "hi" }] });
    const post = (path: string, body: string) => fetch(`${server.url}${path}`, { method: "POST", headers: fault("no-usage"), body });
    const completion = await (await post("/v1/chat/completions", chatBody(false))).json();
    expect(completion.choices[0].message.content).toBe("hi");
    expect("usage" in completion).toBe(false);
    const embedding = await (await post("/v1/embeddings", JSON.stringify({ model: "lang-id-embed", input: "hi" }))).json();
    expect(embedding.data[0].embedding.length).toBe(16);
    expect("usage" in embedding).toBe(false);
    const events = await readSse(await post("/v1/chat/completions", chatBody(true)));
    expect(events.at(-1)?.data).toBe("[DONE]");
    expect(events.slice(0, -1).some((e) => "usage" in JSON.parse(e.data))).toBe(false);
  });
});

describe("time", () => {
  test("slow: the headers come after the delay", async () => {
    const t = performance.now();
    const res = await infer(fault("slow", { "delay-ms": "200" }));
    expect(performance.now() - t).toBeGreaterThanOrEqual(195);
    expect(res.status).toBe(200);
    expect((await res.json()).outputs[0].data).toEqual(["fr"]);
  });

  test("slow-first-byte: headers at once, the body after the delay, still valid JSON", async () => {
    const t = performance.now();
    const res = await infer(fault("slow-first-byte", { "delay-ms": "300" }));
    expect(performance.now() - t).toBeLessThan(150);
    const body = await res.json();
    expect(performance.now() - t).toBeGreaterThanOrEqual(295);
    expect(body.outputs[0].data).toEqual(["fr"]);
  });

  test("slow-first-byte on a stream: an SSE comment at once, the first event after the delay", async () => {
    const t = performance.now();
    const events = await readSse(await stream({ ...fault("slow-first-byte", { "delay-ms": "200" }), "x-model-server-cadence-ms": "0" }));
    expect((events[0] as SseEvent).at - (t + performance.timeOrigin)).toBeGreaterThanOrEqual(195);
    expect(events.at(-1)?.data).toBe("[DONE]");
  });

  test("hang: no answer; the client's abort is recorded within 100 ms", async () => {
    const ac = new AbortController();
    const pending = infer(fault("hang"), "lang-id", { signal: ac.signal }).catch((e: Error) => e.name);
    await Bun.sleep(300);
    expect((await server.stats()).recent[0]?.endedAt).toBeUndefined();
    const abortedAt = now();
    ac.abort();
    expect(await pending).toBe("AbortError");
    const rec = await abortRecord();
    expect(rec?.route).toBe("POST /v2/models/:name/infer");
    expect((rec?.abortedAt as number) - abortedAt).toBeLessThan(100);
    expect((rec?.abortedAt as number) - (rec?.startedAt as number)).toBeGreaterThanOrEqual(295);
  });
});

describe("streams cut short", () => {
  test("stall: N events, then silence with the connection open; the abort is recorded with the chunks sent", async () => {
    const ac = new AbortController();
    const res = await stream(fault("stall", { "after-chunks": "3" }), { signal: ac.signal });
    const events: SseEvent[] = [];
    const reading = readSse(res, events).catch((e: Error) => e.name);
    await Bun.sleep(400);
    expect(events.length).toBe(3);
    const abortedAt = now();
    ac.abort();
    expect(await reading).toBe("AbortError");
    const rec = await abortRecord();
    expect(rec?.chunksSent).toBe(3);
    expect((rec?.abortedAt as number) - abortedAt).toBeLessThan(100);
  });

  test("die: N events, then the connection is destroyed (the client's read fails)", async () => {
    const events: SseEvent[] = [];
    const outcome = await readSse(await stream(fault("die", { "after-chunks": "4" })), events).then(
      () => "ended cleanly",
      () => "failed",
    );
    expect(outcome).toBe("failed");
    expect(events.length).toBe(4);
    expect(events.some((e) => e.data === "[DONE]")).toBe(false);
  });

  test("die on a JSON answer: half the body, then the connection is destroyed", async () => {
    const res = await infer(fault("die"));
    expect(res.status).toBe(200);
    expect(
      await res.text().then(
        () => "complete",
        () => "failed",
      ),
    ).toBe("failed");
  });

  test("a client aborting a healthy stream midway: abort recorded within 100 ms, no more chunks sent", async () => {
    const ac = new AbortController();
    const res = await stream({ "x-model-server-chunks": "100" }, { signal: ac.signal });
    const events: SseEvent[] = [];
    const reading = readSse(res, events).catch((e: Error) => e.name);
    while (events.length < 3) await Bun.sleep(5);
    const abortedAt = now();
    ac.abort();
    await reading;
    const rec = await abortRecord();
    expect(rec?.route).toBe("POST /v1/chat/completions");
    expect((rec?.abortedAt as number) - abortedAt).toBeLessThan(100);
    await Bun.sleep(100);
    const sent = (await server.stats()).recent[0]?.chunksSentAt?.length ?? 0;
    expect(sent).toBeLessThanOrEqual(5);
  });
});

describe("process-wide faults (POST /_control)", () => {
  test("not-ready: readiness answers 503 while inference still works; cleared, 200 again", async () => {
    await server.setFault({ fault: "not-ready" });
    for (const p of ["/v2/health/ready", "/v2/models/lang-id/ready", "/v1/models"]) expect([p, (await fetch(`${server.url}${p}`)).status]).toEqual([p, 503]);
    expect((await fetch(`${server.url}/v2/health/live`)).status).toBe(200);
    expect((await infer()).status).toBe(200);
    await server.clearFault();
    for (const p of ["/v2/health/ready", "/v1/models"]) expect((await fetch(`${server.url}${p}`)).status).toBe(200);
  });

  test("count: the next N inference requests fail, then the server answers again", async () => {
    await server.setFault({ fault: "unavailable", retryAfter: 2, count: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await infer()).status);
    expect(statuses).toEqual([503, 503, 200]);
    expect(await (await fetch(`${server.url}/_control`)).json()).toEqual({ fault: null });
  });

  test("model: only that model's requests fail; health and metadata stay untouched unless routes is 'all'", async () => {
    await server.setFault({ fault: "fail", model: "sentiment" });
    expect((await infer({}, "sentiment")).status).toBe(500);
    expect((await infer({}, "lang-id")).status).toBe(200);
    expect((await fetch(`${server.url}/v2/models/sentiment`)).status).toBe(200);
    await server.setFault({ fault: "slow", delayMs: 150, routes: "all" });
    const t = performance.now();
    expect((await fetch(`${server.url}/v2/health/live`)).status).toBe(200);
    expect(performance.now() - t).toBeGreaterThanOrEqual(145);
  });

  test("headers win over the process-wide fault; /_control rejects unknown faults", async () => {
    await server.setFault({ fault: "fail" });
    expect((await infer(fault("unavailable"))).status).toBe(503);
    const bad = await fetch(`${server.url}/_control`, { method: "POST", body: JSON.stringify({ fault: "explode" }) });
    expect(bad.status).toBe(400);
  });
});

describe("stats", () => {
  test("counts requests per route and model, with start and end times", async () => {
    await infer();
    await infer({}, "sentiment");
    await fetch(`${server.url}/v2/health/ready`);
    const stats = await server.stats();
    expect(stats.requests).toEqual({ "POST /v2/models/:name/infer": 2, "GET /v2/health/ready": 1 });
    expect(stats.models).toEqual({ "lang-id": 1, sentiment: 1 });
    for (const r of stats.recent) expect(r.endedAt as number).toBeGreaterThanOrEqual(r.startedAt);
    expect(stats.aborts).toEqual([]);
  });

  test("records the authorization, x-request-id and traceparent headers a caller sent, and no others", async () => {
    const traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    await infer({ authorization: "Bearer key-a", "x-request-id": "req-1", traceparent, cookie: "s=1" });
    await infer();
    const [withHeaders, without] = (await server.stats()).recent;
    expect(withHeaders?.headers).toEqual({ authorization: "Bearer key-a", "x-request-id": "req-1", traceparent });
    expect(without?.headers).toEqual({});
  });
});
