// The inference families: GenAI names and attributes, values after recorded calls, sampled limiter/breaker state, promtool.
import { describe, expect, test } from "bun:test";
import type { LimiterResult } from "../../../lib/http/concurrency-limiter.ts";
import { createRegistry } from "../../../lib/metrics/registry.ts";
import { sampleValue, seriesOf } from "../../../lib/testing/metrics-text.ts";
import { promtoolCheckMetrics } from "../../../lib/testing/promtool.ts";
import { createPools } from "../backends/pool.ts";
import { type ModelLimits, resolveRegistry } from "../registry/model-spec.ts";
import { createInferenceMetrics, ERROR_TYPES, errorTypeOf, recordTimePerOutputToken, recordUsage } from "./inference-metrics.ts";

const LIMITS: ModelLimits = {
  connectTimeoutMs: 1_000,
  firstByteTimeoutMs: 1_000,
  idleTimeoutMs: 1_000,
  totalTimeoutMs: 1_000,
  maxConcurrency: 4,
  queueSize: 0,
  queueTimeoutMs: 1_000,
  maxRequestBytes: 1024,
  maxResponseBytes: 1024,
  maxSseLineBytes: 1024,
  maxTensorElements: 10,
  retries: 0,
  maxOutputTokens: 16,
};

function setup() {
  const registry = createRegistry();
  let buckets = 0;
  const models = resolveRegistry(
    {
      "tiny-chat": {
        protocol: "openai",
        backends: [
          { url: "http://gpu-a:8000", weight: 1 },
          { url: "http://gpu-b:8000", weight: 1 },
        ],
        maxConcurrency: 1,
        queueSize: 1,
        queueTimeoutMs: 60_000,
      },
      lid: { protocol: "oip-v2", backends: [{ url: "http://models-1:9000", weight: 1 }] },
    },
    LIMITS,
    {},
  );
  const pools = createPools(models, { breakerFailureThreshold: 1, breakerOpenMs: 60_000 });
  const metrics = createInferenceMetrics(registry, pools, { budgetGroups: ["chat"], budgetBuckets: () => buckets });
  const chatPool = pools.get("tiny-chat");
  if (!chatPool) throw new Error("no pool");
  return { registry, metrics, chatPool, chat: metrics.model("tiny-chat"), setBuckets: (n: number) => (buckets = n) };
}

const CHAT = 'gen_ai_operation_name="chat",gen_ai_provider_name="openai",gen_ai_request_model="tiny-chat"';
const TINY = 'gen_ai_request_model="tiny-chat"';

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
      ["inference_backend_requests_in_flight", "gauge"],
      ["inference_backend_ready", "gauge"],
      ["inference_backend_attempts_total", "counter"],
      ["inference_backend_request_duration_seconds", "histogram"],
      ["inference_backend_circuit_state", "gauge"],
      ["inference_token_budget_refused_total", "counter"],
      ["inference_token_budget_buckets", "gauge"],
    ])
      expect(text).toContain(`# TYPE ${name} ${type}\n`);
    // Each family once: the core's and the usage work's families were folded into one set.
    expect(text.match(/^# TYPE /gm)?.length).toBe(16);
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

  test("recorded calls land in their series: usage by token type, durations by error type, stream timings, attempts", async () => {
    const { registry, chat, metrics, chatPool } = setup();
    const op = chat.operations.chat;
    const emb = chat.operations.embeddings;
    if (!op || !emb) throw new Error("chat model lacks its operations");
    recordUsage(op, { inputTokens: 12, outputTokens: 300, totalTokens: 312, estimated: false }, true);
    recordUsage(op, { inputTokens: 5, outputTokens: 7, totalTokens: 12, estimated: true }, true);
    recordUsage(emb, { inputTokens: 40, outputTokens: 0, totalTokens: 40, estimated: false }, false);
    op.duration.ok.observe(1.5);
    op.duration.timeout.observe(30);
    op.timeToFirstToken.observe(0.2);
    // 100 more tokens in 2 s after the first: 20 ms per output token.
    recordTimePerOutputToken(op, { firstTokenMs: 1_200, endMs: 3_200, outputTokens: 101 });
    chat.queueWait.observe(0.004);
    const [a, b] = chatPool.backends;
    if (!a || !b) throw new Error("two backends expected");
    metrics.attempt(a, "ok", 0.05);
    metrics.attempt(a, "backend_connect_timeout", 1);
    metrics.attempt(b, "backend_error", 0.2);

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
    expect(sampleValue(text, `inference_queue_wait_seconds_bucket{${TINY},le="0.005"}`)).toBe(1);
    expect(sampleValue(text, `inference_backend_attempts_total{${TINY},backend="gpu-a:8000",outcome="ok"}`)).toBe(1);
    expect(sampleValue(text, `inference_backend_attempts_total{${TINY},backend="gpu-a:8000",outcome="backend_connect_timeout"}`)).toBe(1);
    expect(sampleValue(text, `inference_backend_attempts_total{${TINY},backend="gpu-b:8000",outcome="backend_error"}`)).toBe(1);
    // Latency to response headers only for attempts that got an answer.
    expect(sampleValue(text, `inference_backend_request_duration_seconds_count{${TINY},backend="gpu-a:8000"}`)).toBe(1);
    expect(sampleValue(text, `inference_backend_request_duration_seconds_count{${TINY},backend="gpu-b:8000"}`)).toBe(1);
    expect(await promtoolCheckMetrics(text)).toEqual({ ok: true, output: "" });
  });

  test("in-flight, queue depth, refusals, backend state and budget are read at scrape time", async () => {
    const { registry, chatPool, metrics, setBuckets } = setup();
    const held = chatPool.limiter.acquire() as LimiterResult;
    const queued = chatPool.limiter.acquire();
    expect(chatPool.limiter.acquire()).toMatchObject({ ok: false, reason: "queue_full" });
    const [, flaky] = chatPool.backends;
    if (!flaky) throw new Error("two backends expected");
    flaky.breaker.release(flaky.breaker.acquire(), "failure"); // threshold 1: open
    flaky.ready = false;
    flaky.outstanding = 3;
    metrics.budgetRefused("chat");
    metrics.budgetRefused("chat");
    metrics.budgetRefused("not-a-group");
    setBuckets(42);
    let text = registry.render();
    expect(sampleValue(text, `inference_requests_in_flight{${TINY}}`)).toBe(1);
    expect(sampleValue(text, `inference_queue_depth{${TINY}}`)).toBe(1);
    expect(sampleValue(text, `inference_queue_rejected_total{${TINY},reason="queue_full"}`)).toBe(1);
    expect(sampleValue(text, `inference_queue_rejected_total{${TINY},reason="queue_timeout"}`)).toBe(0);
    expect(sampleValue(text, 'inference_requests_in_flight{gen_ai_request_model="lid"}')).toBe(0);
    expect(sampleValue(text, `inference_backend_circuit_state{${TINY},backend="gpu-a:8000"}`)).toBe(0);
    expect(sampleValue(text, `inference_backend_circuit_state{${TINY},backend="gpu-b:8000"}`)).toBe(2);
    expect(sampleValue(text, `inference_backend_ready{${TINY},backend="gpu-b:8000"}`)).toBe(0);
    expect(sampleValue(text, `inference_backend_ready{${TINY},backend="gpu-a:8000"}`)).toBe(1);
    expect(sampleValue(text, `inference_backend_requests_in_flight{${TINY},backend="gpu-b:8000"}`)).toBe(3);
    expect(sampleValue(text, 'inference_token_budget_refused_total{group="chat"}')).toBe(2);
    expect(text).not.toContain("not-a-group");
    expect(sampleValue(text, "inference_token_budget_buckets")).toBe(42);
    if (held.ok) held.release();
    const next = await queued;
    if (next.ok) next.release();
    text = registry.render();
    expect(sampleValue(text, `inference_requests_in_flight{${TINY}}`)).toBe(0);
    expect(sampleValue(text, `inference_queue_depth{${TINY}}`)).toBe(0);
    // The counter follows the limiter's total, it does not count scrapes.
    expect(sampleValue(text, `inference_queue_rejected_total{${TINY},reason="queue_full"}`)).toBe(1);
    expect(await promtoolCheckMetrics(text)).toEqual({ ok: true, output: "" });
  });

  test("problem codes map to the closed list of error types", () => {
    expect(
      [
        "backend_first_byte_timeout",
        "backend_total_timeout",
        "model_unavailable",
        "backend_response_too_large",
        "inference_rejected",
        "client_closed_request",
        "internal_error",
      ].map(errorTypeOf),
    ).toEqual(["timeout", "timeout", "unavailable", "backend_error", "rejected", "client_closed", "_OTHER"]);
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
      "gpu-a:8000",
      "gpu-b:8000",
      "models-1:9000",
      "input",
      "output",
      "queue_full",
      "queue_timeout",
      "ok",
      "",
      ...ERROR_TYPES,
    ]);
    for (const v of labelValues) if (!allowed.has(v as string) && !/^[0-9.e+]+$|^\+Inf$/.test(v as string)) throw new Error(`unexpected label value ${v}`);
  });
});
