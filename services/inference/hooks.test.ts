// The pipeline's seams for the limiter and the usage step: where they run, what they may change, and that each ends once.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { AppError } from "../../lib/http/app-error.ts";
import type { InferenceHooks, UsageSession } from "./hooks.ts";
import { type Harness, inferenceHarness } from "./testing/harness.ts";
import { chatChunk, chatStream, defaultAnswer, type ModelBackend, modelBackend } from "./testing/model-backend.ts";

const events: string[] = [];
let refuseAdmission = false;
let refuseBudget = false;
const hooks: InferenceHooks = {
  async admit(model) {
    events.push(`admit ${model.name}`);
    if (refuseAdmission) throw new AppError("model_unavailable", { detail: "queue full", headers: { "retry-after": "2" } });
    return () => events.push(`release ${model.name}`);
  },
  openaiUsage({ model, caller, body, stream }) {
    events.push(`usage ${model.name} ${caller} ${stream}`);
    if (refuseBudget) throw new AppError("rate_limited", { detail: "token budget spent", headers: { "retry-after": "30" } });
    const session: UsageSession = {
      body: stream ? { ...body, stream_options: { include_usage: true } } : undefined,
      tap: { chunk: (lines) => new TextEncoder().encode(new TextDecoder().decode(lines).replaceAll('"b"', '"B"')) },
      settle: ({ ok }) => {
        events.push(`settle ${ok}`);
        return undefined;
      },
    };
    return session;
  },
};

let backend: ModelBackend;
let h: Harness;
beforeAll(async () => {
  backend = modelBackend((req, body) =>
    new URL(req.url).pathname === "/v1/chat/completions" && JSON.parse(body).stream ? chatStream("chat", ["a", "b"], 0) : defaultAnswer(req, body),
  );
  h = await inferenceHarness(
    { chat: { protocol: "openai", backends: [{ url: backend.url }] }, "lang-id": { protocol: "oip-v2", backends: [{ url: backend.url }] } },
    {},
    hooks,
  );
});
afterAll(async () => {
  await h.close();
  await backend.stop();
});
const chat = (stream: boolean) => ({ model: "chat", messages: [{ role: "user", content: "hi" }], stream });

describe("hooks", () => {
  test("a stream: budget, then admission; the body rewritten, the tap applied, settled and released once at the end", async () => {
    events.length = 0;
    const res = await h.post("/v1/chat/completions", chat(true));
    expect(await res.text()).toBe(`${chatChunk("chat", "a")}${chatChunk("chat", "B")}data: [DONE]\n\n`);
    expect(JSON.parse(backend.calls().at(-1)?.body ?? "{}").stream_options).toEqual({ include_usage: true });
    expect(events).toEqual(["usage chat alice true", "admit chat", "settle true", "release chat"]);
  });

  test("refused by the budget or by admission: the problem as thrown, nothing sent, a reservation settled as failed", async () => {
    const before = backend.seen.length;
    events.length = 0;
    refuseBudget = true;
    const overBudget = await h.post("/v1/chat/completions", chat(false));
    refuseBudget = false;
    expect(overBudget.status).toBe(429);
    expect(overBudget.headers.get("retry-after")).toBe("30");
    refuseAdmission = true;
    const full = await h.post("/v1/chat/completions", chat(false));
    const oip = await h.post("/v1/models/lang-id/infer", { inputs: [{ name: "t", shape: [1], datatype: "BYTES", data: ["x"] }] });
    refuseAdmission = false;
    expect([full.status, oip.status]).toEqual([503, 503]);
    expect(full.headers.get("retry-after")).toBe("2");
    expect(backend.seen.length).toBe(before);
    expect(events).toEqual(["usage chat alice false", "usage chat alice false", "admit chat", "settle false", "admit lang-id"]);
  });

  test("invalid requests never reach the hooks", async () => {
    events.length = 0;
    expect((await h.post("/v1/chat/completions", { model: "chat", messages: [] })).status).toBe(422);
    expect((await h.post("/v1/models/lang-id/infer", { inputs: [] })).status).toBe(422);
    expect(events).toEqual([]);
  });
});
