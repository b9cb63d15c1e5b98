// The inference families: GenAI names and attributes, values after recorded calls, sampled limiter/breaker state, promtool.
import { describe, expect, test } from "bun:test";
import { createCircuitBreaker } from "../../lib/http/client/circuit-breaker.ts";
import { createConcurrencyLimiter, type LimiterResult } from "../../lib/http/concurrency-limiter.ts";
import { createRegistry } from "../../lib/metrics/registry.ts";
import { sampleValue, seriesOf } from "../../lib/testing/metrics-text.ts";
import { promtoolCheckMetrics } from "../../lib/testing/promtool.ts";
import { createInferenceMetrics, ERROR_TYPES, recordStream, recordUsage } from "./genai-metrics.ts";

function setup() {
  const registry = createRegistry();
  let buckets = 0;
  const metrics = createInferenceMetrics(registry, () => buckets);
  const chatLimiter = createConcurrencyLimiter({ maxConcurrent: 1, maxQueue: 1, queueTimeoutMs: 60_000 });
  const flaky = createCircuitBreaker({ name: "gpu-b", failureThreshold: 1 });
  const chat = metrics.bindModel({
    name: "tiny-chat",
    protocol: "openai",
    backends: [
      { name: "gpu-a", breaker: createCircuitBreaker({ name: "gpu-a" }) },
      { name: "gpu-b", breaker: flaky },
    ],
    limiter: chatLimiter,
  });
  const lid = metrics.bindModel({
    name: "lid",
    protocol: "oip-v2",
    backends: [{ name: "models-1", breaker: createCircuitBreaker({ name: "models-1" }) }],
    limiter: createConcurrencyLimiter({ maxConcurrent: 4, maxQueue: 0, queueTimeoutMs: 1_000 }),
  });
  return { registry, metrics, chat, lid, chatLimiter, flaky, setBuckets: (n: number) => (buckets = n) };
}

const CHAT = 'gen_ai_operation_name="chat",gen_ai_provider_name="openai",gen_ai_request_model="tiny-chat"';

describe("inference metrics", () => {
  test("every family renders with the GenAI names, bound series start at zero, and promtool accepts it", async () => {
    const { registry } = setup();
    const text = registry.render();
    for (const [name, type] of [
      ["gen_ai_client_token_usage", "histogram"],
      ["gen_ai_server_request_duration_seconds", "histogram"],
      ["gen_ai_server_time_to_first_token_seconds", "histogram"],
      ["gen_ai_server_time_per_output_token_seconds", "histogram"],
      ["inference_usage_estimated_total", "counter"],
      ["inference_requests_in_flight", "gauge"],
      ["inference_queue_depth", "gauge"],
      ["inference_queue_wait_seconds", "histogram"],
      ["inference_queue_rejected_total", "counter"],
      ["inference_backend_request_duration_seconds", "histogram"],
      ["inference_backend_circuit_state", "gauge"],
      ["inference_token_budget_refused_total", "counter"],
      ["inference_token_budget_buckets", "gauge"],
    ])
      expect(text).toContain(`# TYPE ${name} ${type}\n`);
    expect(sampleValue(text, `gen_ai_client_token_usage_count{${CHAT},gen_ai_token_type="input"}`)).toBe(0);
    expect(sampleValue(text, `gen_ai_server_request_duration_seconds_count{${CHAT},error_type=""}`)).toBe(0);
    expect(
      sampleValue(
        text,
        'gen_ai_server_request_duration_seconds_count{gen_ai_operation_name="infer",gen_ai_provider_name="oip_v2",gen_ai_request_model="lid",error_type="timeout"}',
      ),
    ).toBe(0);
    // An OIP model has no chat or embeddings series, an OpenAI model no infer series.
    expect(text).not.toContain('gen_ai_operation_name="chat",gen_ai_provider_name="oip_v2"');
    expect(text).not.toContain('gen_ai_operation_name="infer",gen_ai_provider_name="openai"');
    expect(await promtoolCheckMetrics(text)).toEqual({ ok: true, output: "" });
  });

  test("recorded calls land in their series: usage by token type, durations by error type, stream timings", async () => {
    const { registry, chat } = setup();
    const op = chat.operations.chat;
    const emb = chat.operations.embeddings;
    if (!op || !emb) throw new Error("chat model lacks its operations");
    recordUsage(op, { inputTokens: 12, outputTokens: 300, totalTokens: 312, estimated: false }, true);
    recordUsage(op, { inputTokens: 5, outputTokens: 7, totalTokens: 12, estimated: true }, true);
    recordUsage(emb, { inputTokens: 40, outputTokens: 0, totalTokens: 40, estimated: false }, false);
    op.duration.ok.observe(1.5);
    op.duration.timeout.observe(30);
    // 0.2 s to the first token, then 100 more tokens in 2 s: 20 ms per output token.
    recordStream(op, { startMs: 1_000, firstTokenMs: 1_200, endMs: 3_200, outputTokens: 101 });
    chat.queueWait.observe(0.004);
    chat.backends["gpu-a"]?.latency.observe(0.05);

    const text = registry.render();
    expect(sampleValue(text, `gen_ai_client_token_usage_sum{${CHAT},gen_ai_token_type="input"}`)).toBe(17);
    expect(sampleValue(text, `gen_ai_client_token_usage_sum{${CHAT},gen_ai_token_type="output"}`)).toBe(307);
    expect(sampleValue(text, `gen_ai_client_token_usage_bucket{${CHAT},gen_ai_token_type="output",le="256"}`)).toBe(1);
    expect(sampleValue(text, `gen_ai_client_token_usage_bucket{${CHAT},gen_ai_token_type="output",le="1024"}`)).toBe(2);
    const EMB = 'gen_ai_operation_name="embeddings",gen_ai_provider_name="openai",gen_ai_request_model="tiny-chat"';
    expect(sampleValue(text, `gen_ai_client_token_usage_sum{${EMB},gen_ai_token_type="input"}`)).toBe(40);
    expect(sampleValue(text, `gen_ai_client_token_usage_count{${EMB},gen_ai_token_type="output"}`)).toBe(0);
    expect(sampleValue(text, 'inference_usage_estimated_total{gen_ai_operation_name="chat",gen_ai_request_model="tiny-chat"}')).toBe(1);
    expect(sampleValue(text, `gen_ai_server_request_duration_seconds_count{${CHAT},error_type=""}`)).toBe(1);
    expect(sampleValue(text, `gen_ai_server_request_duration_seconds_bucket{${CHAT},error_type="timeout",le="20.48"}`)).toBe(0);
    expect(sampleValue(text, `gen_ai_server_request_duration_seconds_bucket{${CHAT},error_type="timeout",le="40.96"}`)).toBe(1);
    expect(sampleValue(text, `gen_ai_server_time_to_first_token_seconds_sum{${CHAT}}`)).toBeCloseTo(0.2, 9);
    expect(sampleValue(text, `gen_ai_server_time_per_output_token_seconds_sum{${CHAT}}`)).toBeCloseTo(0.02, 9);
    expect(sampleValue(text, 'inference_queue_wait_seconds_bucket{gen_ai_request_model="tiny-chat",le="0.005"}')).toBe(1);
    expect(sampleValue(text, 'inference_backend_request_duration_seconds_count{gen_ai_request_model="tiny-chat",backend="gpu-a"}')).toBe(1);
    expect(await promtoolCheckMetrics(text)).toEqual({ ok: true, output: "" });
  });

  test("in-flight, queue depth, refusals and breaker state are read from the limiter and breakers at scrape time", async () => {
    const { registry, chatLimiter, flaky, metrics, setBuckets } = setup();
    const held = chatLimiter.acquire() as LimiterResult;
    const queued = chatLimiter.acquire();
    expect(chatLimiter.acquire()).toMatchObject({ ok: false, reason: "queue_full" });
    flaky.release(flaky.acquire(), "failure"); // threshold 1: open
    metrics.bindBudgetGroup("chat").inc(3);
    setBuckets(42);
    let text = registry.render();
    expect(sampleValue(text, 'inference_requests_in_flight{gen_ai_request_model="tiny-chat"}')).toBe(1);
    expect(sampleValue(text, 'inference_queue_depth{gen_ai_request_model="tiny-chat"}')).toBe(1);
    expect(sampleValue(text, 'inference_queue_rejected_total{gen_ai_request_model="tiny-chat",reason="queue_full"}')).toBe(1);
    expect(sampleValue(text, 'inference_queue_rejected_total{gen_ai_request_model="tiny-chat",reason="queue_timeout"}')).toBe(0);
    expect(sampleValue(text, 'inference_requests_in_flight{gen_ai_request_model="lid"}')).toBe(0);
    expect(sampleValue(text, 'inference_backend_circuit_state{gen_ai_request_model="tiny-chat",backend="gpu-a"}')).toBe(0);
    expect(sampleValue(text, 'inference_backend_circuit_state{gen_ai_request_model="tiny-chat",backend="gpu-b"}')).toBe(2);
    expect(sampleValue(text, 'inference_token_budget_refused_total{group="chat"}')).toBe(3);
    expect(sampleValue(text, "inference_token_budget_buckets")).toBe(42);
    if (held.ok) held.release();
    const next = await queued;
    if (next.ok) next.release();
    text = registry.render();
    expect(sampleValue(text, 'inference_requests_in_flight{gen_ai_request_model="tiny-chat"}')).toBe(0);
    expect(sampleValue(text, 'inference_queue_depth{gen_ai_request_model="tiny-chat"}')).toBe(0);
    // The counter follows the limiter's total, it does not count scrapes.
    expect(sampleValue(text, 'inference_queue_rejected_total{gen_ai_request_model="tiny-chat",reason="queue_full"}')).toBe(1);
    expect(await promtoolCheckMetrics(text)).toEqual({ ok: true, output: "" });
  });

  test("series are fixed at binding: recording calls adds none, and no label carries request content", () => {
    const { registry, chat } = setup();
    const before = seriesOf(registry.render()).length;
    const op = chat.operations.chat;
    if (!op) throw new Error("no chat series");
    for (let i = 0; i < 500; i++) {
      recordUsage(op, { inputTokens: i, outputTokens: i * 3, totalTokens: i * 4, estimated: i % 2 === 0 }, true);
      op.duration[ERROR_TYPES[i % ERROR_TYPES.length] ?? "_OTHER"].observe(i / 100);
    }
    const text = registry.render();
    expect(seriesOf(text).length).toBe(before);
    const labelValues = new Set([...text.matchAll(/="([^"]*)"/g)].map((m) => m[1]));
    const allowed = new Set([
      "chat",
      "embeddings",
      "infer",
      "openai",
      "oip_v2",
      "tiny-chat",
      "lid",
      "gpu-a",
      "gpu-b",
      "models-1",
      "input",
      "output",
      "queue_full",
      "queue_timeout",
      "",
      ...ERROR_TYPES,
    ]);
    for (const v of labelValues) if (!allowed.has(v as string) && !/^[0-9.e+]+$|^\+Inf$/.test(v as string)) throw new Error(`unexpected label value ${v}`);
  });
});
