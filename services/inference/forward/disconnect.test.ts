// The client going away cancels the backend call within 100 ms: while waiting for an answer and mid-stream.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type DeclaredBodyServer, declaredBodyServer } from "../../../lib/testing/declared-body-server.ts";
import { type Harness, inferenceHarness } from "../testing/harness.ts";
import { chatStream, defaultAnswer, type ModelBackend, modelBackend } from "../testing/model-backend.ts";

let backend: ModelBackend;
// Headers and part of a declared body, then nothing: the service is reading a whole answer with bytes() (read-whole.ts).
let declared: DeclaredBodyServer;
let h: Harness;
beforeAll(async () => {
  declared = await declaredBodyServer({ declared: 4096, first: '{"model_name":' });
  backend = modelBackend((req, body) => {
    const path = new URL(req.url).pathname;
    if (path === "/v2/models/m/infer") return new Promise<Response>(() => {}); // works on and on
    if (path === "/v1/chat/completions")
      return chatStream(
        "chat",
        Array.from({ length: 1000 }, (_, i) => `t${i}`),
        20,
      );
    return defaultAnswer(req, body);
  });
  h = await inferenceHarness({
    m: { protocol: "oip-v2", backends: [{ url: backend.url }] },
    d: { protocol: "oip-v2", backends: [{ url: declared.url }] },
    chat: { protocol: "openai", backends: [{ url: backend.url }] },
  });
  await h.fetch("/v1/models");
});
afterAll(async () => {
  await h.close();
  await backend.stop();
  await declared.stop();
});

const inFlight = async (model = "m") =>
  Number(new RegExp(`inference_backend_requests_in_flight\\{gen_ai_request_model="${model}"[^}]*\\} (\\d+)`).exec(await h.metrics())?.[1]);

describe("client disconnect", () => {
  test("mid-request (no byte answered yet): the backend sees the abort within 100 ms", async () => {
    const ac = new AbortController();
    const pending = h
      .post("/v1/models/m/infer", { inputs: [{ name: "t", shape: [1], datatype: "BYTES", data: ["x"] }] }, { signal: ac.signal })
      .catch(() => "aborted");
    while (backend.calls().length === 0) await Bun.sleep(2);
    await Bun.sleep(50);
    const t0 = performance.now();
    ac.abort();
    expect(await pending).toBe("aborted");
    const call = backend.calls()[0];
    for (let i = 0; i < 50 && call?.abortedAt === undefined; i++) await Bun.sleep(5);
    expect(call?.abortedAt).toBeDefined();
    expect((call?.abortedAt as number) - t0).toBeLessThan(100);
    expect(await inFlight()).toBe(0);
  });

  test("mid-answer (headers in, a declared body half sent): the backend sees the abort within 100 ms", async () => {
    const ac = new AbortController();
    const pending = h
      .post("/v1/models/d/infer", { inputs: [{ name: "t", shape: [1], datatype: "BYTES", data: ["x"] }] }, { signal: ac.signal })
      .catch(() => "aborted");
    while (declared.requests() === 0) await Bun.sleep(2);
    await Bun.sleep(50);
    const t0 = performance.now();
    ac.abort();
    expect(await pending).toBe("aborted");
    let closedAt: number | undefined;
    for (let i = 0; i < 50 && closedAt === undefined; i++) {
      await Bun.sleep(5);
      closedAt = declared.closedAt()[0];
    }
    expect(closedAt).toBeDefined();
    expect((closedAt as number) - t0).toBeLessThan(100);
    expect(await inFlight("d")).toBe(0);
  });

  test("mid-stream: the backend sees the abort within 100 ms and stops generating", async () => {
    const ac = new AbortController();
    const res = await h.post("/v1/chat/completions", { model: "chat", messages: [{ role: "user", content: "hi" }], stream: true }, { signal: ac.signal });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    for (let i = 0; i < 3; i++) await reader.read();
    const t0 = performance.now();
    ac.abort();
    const call = backend.calls().at(-1);
    expect(call?.path).toBe("/v1/chat/completions");
    for (let i = 0; i < 50 && call?.abortedAt === undefined; i++) await Bun.sleep(5);
    expect(call?.abortedAt).toBeDefined();
    expect((call?.abortedAt as number) - t0).toBeLessThan(100);
  });
});
