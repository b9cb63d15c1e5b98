// Bulkheads against the real model server: a model with its slot taken and its queue full answers 429 / 503 with
// Retry-After, and another model's latency stays within 20% of its unloaded figure meanwhile.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { sampleValue } from "../../../lib/testing/metrics-text.ts";
import { spawnTestModelServer, type TestModelServer } from "../../../tools/model-server/testing/start.ts";
import { type Harness, inferenceHarness } from "../testing/harness.ts";

// The model server runs in a process of its own, as deployed. In this process (with the service and the client) it put
// its own work, the stalled stream's among it, on the thread being measured: the loaded median came out over the 20 %
// in 4 of 6 runs of this test, and 0.87-1.2x the unloaded one over 8 runs of 48 shorter blocks; in a process of its
// own, 0.93-1.07x over 6 runs of this test (2-core machine).
let server: TestModelServer;
let h: Harness;
beforeAll(async () => {
  server = await spawnTestModelServer({ cadenceMs: 5, chunks: 10 });
  const chatModel = (queueTimeoutMs: number) => ({
    protocol: "openai",
    backends: [{ url: server.url, model: "echo-chat" }],
    maxConcurrency: 1,
    queueSize: 1,
    queueTimeoutMs,
  });
  h = await inferenceHarness(
    { busy: chatModel(60_000), brief: chatModel(150), calm: { protocol: "oip-v2", backends: [{ url: server.url, model: "lang-id" }] } },
    { INFERENCE_READINESS_INTERVAL_MS: "0" },
  );
});
afterAll(async () => {
  await h.close();
  await server.stop();
});

const stream = (model: string) => h.post("/v1/chat/completions", { model, messages: [{ role: "user", content: "hi" }], stream: true });
const infer = { inputs: [{ name: "text", shape: [1], datatype: "BYTES", data: ["Bonjour tout le monde"] }] };

/** A stream that stalls after its first chunk (the model server's fault, for this one call): it holds the model's one slot until cancelled. */
async function hold(model: string): Promise<{ cancel(): Promise<void> }> {
  await server.setFault({ fault: "stall", afterChunks: 1, count: 1 });
  const res = await stream(model);
  expect(res.status).toBe(200);
  const reader = res.body?.getReader();
  await reader?.read();
  return { cancel: async () => reader?.cancel() };
}

const median = (ms: number[]) => [...ms].sort((a, b) => a - b)[Math.floor(ms.length / 2)] as number;

/** Latencies of `n` sequential OIP calls to the calm model (ms). */
async function calmLatencies(n: number): Promise<number[]> {
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    const res = await h.post("/v1/models/calm/infer", infer);
    await res.arrayBuffer();
    ms.push(performance.now() - t0);
    expect(res.status).toBe(200);
  }
  return ms;
}

describe("bulkhead", () => {
  test("queue full → 429 with Retry-After at once, nothing sent; queue timeout → 503 with Retry-After", async () => {
    const slot = await hold("busy");
    const queued = stream("busy"); // waits for the slot
    await Bun.sleep(20);
    const before = (await server.stats()).requests["POST /v1/chat/completions"] ?? 0;
    const t0 = performance.now();
    const full = await stream("busy");
    expect(performance.now() - t0).toBeLessThan(100);
    expect(full.status).toBe(429);
    expect((await full.json()) as object).toMatchObject({ code: "rate_limited" });
    expect(Number(full.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect((await server.stats()).requests["POST /v1/chat/completions"] ?? 0).toBe(before);
    expect(sampleValue(await h.metrics(), 'inference_queue_depth{gen_ai_request_model="busy"}')).toBe(1);
    // The slot comes free: the queued call gets it and streams.
    await slot.cancel();
    const next = await queued;
    expect(next.status).toBe(200);
    expect((await next.text()).endsWith("data: [DONE]\n\n")).toBe(true);

    const briefSlot = await hold("brief");
    const t1 = performance.now();
    const timedOut = await stream("brief");
    const waited = performance.now() - t1;
    expect(timedOut.status).toBe(503);
    expect((await timedOut.json()) as object).toMatchObject({ code: "model_unavailable" });
    expect(Number(timedOut.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(waited).toBeGreaterThanOrEqual(140);
    await briefSlot.cancel();
    const text = await h.metrics();
    expect(sampleValue(text, 'inference_queue_rejected_total{gen_ai_request_model="busy",reason="queue_full"}')).toBe(1);
    expect(sampleValue(text, 'inference_queue_rejected_total{gen_ai_request_model="brief",reason="queue_timeout"}')).toBe(1);
  });

  test("while one model is saturated (slot held, queue full, callers refused), another's latency stays within 20%", async () => {
    // Warm-up: connections and JIT tiers (the calm model's latency was still falling after 30 calls), and one loaded cycle.
    await calmLatencies(300);
    const warm = await hold("busy");
    await calmLatencies(20);
    await warm.cancel();
    // Unloaded and loaded blocks alternate, so a drift of the machine's own load weighs on both sides alike. 16 rounds:
    // with 8, one full CI run on a noisy machine saw the loaded median 25 % above the unloaded one; the two are usually
    // within 10 % of each other, and more blocks make one unlucky stretch weigh less.
    const unloaded: number[] = [];
    const loaded: number[] = [];
    for (let round = 0; round < 16; round++) {
      // A collection before each block, so garbage left by earlier tests of the process lands on neither side.
      Bun.gc(true);
      unloaded.push(...(await calmLatencies(20)));
      const slot = await hold("busy");
      const queued = stream("busy");
      await Bun.sleep(10);
      const refused = await stream("busy");
      expect(refused.status).toBe(429);
      expect(refused.headers.get("retry-after")).not.toBeNull();
      await refused.body?.cancel();
      Bun.gc(true);
      loaded.push(...(await calmLatencies(20)));
      await slot.cancel();
      await (await queued).text();
    }
    expect(median(loaded)).toBeLessThanOrEqual(median(unloaded) * 1.2);
  }, 20_000); // 16 rounds take 3-5 s on a 2-core machine, past bun:test's 5 s default in one CI run
});
