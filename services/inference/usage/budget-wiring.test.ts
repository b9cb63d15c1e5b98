// Token budgets through the service against the real model server: reserved before the call, refused before any backend
// call (429 + Retry-After + RateLimit), settled to the stream's real usage, a call larger than the budget refused for good.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { sampleValue } from "../../../lib/testing/metrics-text.ts";
import { startTestModelServer, type TestModelServer } from "../../../tools/model-server/testing/start.ts";
import { type Harness, inferenceHarness } from "../testing/harness.ts";

/** 1000 tokens a minute: ~17 a second come back, little next to the reservations below over a test's few seconds. */
const BUDGET = 1000;
let server: TestModelServer;
let h: Harness;
beforeAll(async () => {
  server = await startTestModelServer({ cadenceMs: 2, chunks: 5 });
  h = await inferenceHarness(
    {
      chat: { protocol: "openai", backends: [{ url: server.url, model: "echo-chat" }], group: "tight" },
      other: { protocol: "openai", backends: [{ url: server.url, model: "echo-chat" }] },
    },
    { INFERENCE_READINESS_INTERVAL_MS: "0", INFERENCE_TOKEN_BUDGETS: `tight=${BUDGET}` },
  );
});
afterAll(async () => {
  await h.close();
  await server.stop();
});

const chat = (maxTokens: number, model = "chat") => ({ model, messages: [{ role: "user", content: "hi" }], stream: true, max_tokens: maxTokens });
const calls = async () => (await server.stats()).requests["POST /v1/chat/completions"] ?? 0;

describe("token budget", () => {
  test("streams settle to their real usage; a caller over budget is refused before any backend call; a call above the budget never fits", async () => {
    // Each call reserves its prompt estimate + 600: two at once do not fit in 1000, one after another only if the
    // first was settled to its real usage (a handful of tokens) when its stream ended.
    for (let i = 0; i < 2; i++) {
      const res = await h.post("/v1/chat/completions", chat(600));
      expect(res.status).toBe(200);
      expect(res.headers.get("ratelimit-policy")).toBe(`"tight-tokens";q=${BUDGET};w=60`);
      const remaining = Number(/;r=(\d+);/.exec(res.headers.get("ratelimit") ?? "")?.[1]);
      // What is left after this call's reservation: less than the budget minus 600, more than zero.
      expect(remaining).toBeLessThan(BUDGET - 600);
      expect(remaining).toBeGreaterThan(BUDGET - 2 * 600 + 100);
      expect((await res.text()).endsWith("data: [DONE]\n\n")).toBe(true);
    }

    // A stream held open (its first chunk read) keeps its reservation until it ends.
    const held = await h.post("/v1/chat/completions", chat(600));
    expect(held.status).toBe(200);
    const reader = held.body?.getReader();
    await reader?.read();
    const before = await calls();
    const refused = await h.post("/v1/chat/completions", chat(600));
    expect(refused.status).toBe(429);
    expect(refused.headers.get("content-type")).toStartWith("application/problem+json");
    const problem = (await refused.json()) as { code: string; detail: string };
    expect(problem.code).toBe("rate_limited");
    expect(problem.detail).toContain("tight");
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(refused.headers.get("ratelimit-policy")).toBe(`"tight-tokens";q=${BUDGET};w=60`);
    expect(refused.headers.get("ratelimit")).toMatch(/^"tight-tokens";r=\d+;t=\d+$/);
    expect(await calls()).toBe(before);
    // Another group is not this one's budget.
    const elsewhere = await h.post("/v1/chat/completions", chat(600, "other"));
    expect(elsewhere.status).toBe(200);
    expect(elsewhere.headers.get("ratelimit")).toBeNull();
    await elsewhere.text();

    // The held stream, abandoned: settled to what it generated so far, so the next call fits again.
    await reader?.cancel();
    let after: Response | undefined;
    for (let i = 0; i < 50 && after?.status !== 200; i++) {
      if (after) await Bun.sleep(10);
      after = await h.post("/v1/chat/completions", chat(600));
      if (after.status !== 200) await after.body?.cancel();
    }
    expect(after?.status).toBe(200);
    await after?.text();

    const tooLarge = await h.post("/v1/chat/completions", chat(BUDGET + 1));
    expect(tooLarge.status).toBe(422);
    expect(tooLarge.headers.get("retry-after")).toBeNull();
    expect(((await tooLarge.json()) as { errors: { path: string }[] }).errors[0]?.path).toBe("body.max_tokens");
    expect(sampleValue(await h.metrics(), 'inference_token_budget_refused_total{group="tight"}')).toBe(2);
  });
});
