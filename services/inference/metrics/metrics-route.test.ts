// GET /metrics of inference: every contract family, valid for promtool after real calls, registry names only as labels.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { METRIC_FAMILIES } from "../../../deploy/metrics-contract.ts";
import { PROCESS_CLOCK_FAMILIES, startProcessMetrics } from "../../../lib/metrics/process-metrics.ts";
import { sampleValue } from "../../../lib/testing/metrics-text.ts";
import { promtoolCheckMetrics } from "../../../lib/testing/promtool.ts";
import { type Harness, inferenceHarness } from "../testing/harness.ts";
import { chatStream, defaultAnswer, type ModelBackend, modelBackend } from "../testing/model-backend.ts";

let backend: ModelBackend;
let h: Harness;
let processMetrics: { stop(): void };
beforeAll(async () => {
  backend = modelBackend((req, body) => (new URL(req.url).pathname === "/v1/chat/completions" ? chatStream("chat", ["a", "b"], 0) : defaultAnswer(req, body)));
  h = await inferenceHarness(
    {
      "lang-id": { protocol: "oip-v2", backends: [{ url: backend.url }] },
      chat: { protocol: "openai", backends: [{ url: backend.url }] },
    },
    { INFERENCE_TOKEN_BUDGETS: "chat=100000" },
  );
  processMetrics = startProcessMetrics(h.registry);
});
afterAll(async () => {
  processMetrics.stop();
  await h.close();
  await backend.stop();
});

const G = (op: string, provider: string, model: string) => `gen_ai_operation_name="${op}",gen_ai_provider_name="${provider}",gen_ai_request_model="${model}"`;

describe("inference /metrics", () => {
  test("after OIP, streamed and refused calls: every contract family, promtool accepts it, registry names only", async () => {
    const body = { inputs: [{ name: "t", shape: [1], datatype: "BYTES", data: ["x"] }] };
    for (let i = 0; i < 3; i++) expect((await h.post("/v1/models/lang-id/infer", body)).status).toBe(200);
    const stream = await h.post("/v1/chat/completions", { model: "chat", messages: [{ role: "user", content: "hi" }], stream: true });
    await stream.text();
    for (const name of ["nope-1", "nope-2", "../x"]) await h.post(`/v1/models/${encodeURIComponent(name)}/infer`, body);
    await h.post("/v1/chat/completions", { model: "unknown-model", messages: [{ role: "user", content: "hi" }] });

    const text = await h.metrics();
    expect(await promtoolCheckMetrics(text)).toEqual({ ok: true, output: "" });
    for (const name of [...METRIC_FAMILIES.inference, ...PROCESS_CLOCK_FAMILIES]) expect(text).toContain(`# TYPE ${name} `);
    const b = `backend="127.0.0.1:${backend.port}"`;
    expect(sampleValue(text, `inference_backend_attempts_total{gen_ai_request_model="lang-id",${b},outcome="ok"}`)).toBe(3);
    expect(sampleValue(text, `inference_backend_requests_in_flight{gen_ai_request_model="chat",${b}}`)).toBe(0);
    expect(sampleValue(text, `inference_backend_circuit_state{gen_ai_request_model="lang-id",${b}}`)).toBe(0);
    expect(sampleValue(text, `inference_backend_ready{gen_ai_request_model="chat",${b}}`)).toBe(1);
    expect(sampleValue(text, `inference_backend_request_duration_seconds_count{gen_ai_request_model="lang-id",${b}}`)).toBe(3);
    expect(sampleValue(text, `gen_ai_server_request_duration_seconds_count{${G("infer", "oip_v2", "lang-id")},error_type=""}`)).toBe(3);
    expect(sampleValue(text, `gen_ai_server_time_to_first_token_seconds_count{${G("chat", "openai", "chat")}}`)).toBe(1);
    expect(sampleValue(text, `gen_ai_server_request_duration_seconds_count{${G("chat", "openai", "chat")},error_type=""}`)).toBe(1);
    // The test backend sends no usage: the stream was counted here and flagged as estimated.
    expect(sampleValue(text, `gen_ai_client_token_usage_count{${G("chat", "openai", "chat")},gen_ai_token_type="output"}`)).toBe(1);
    expect(sampleValue(text, 'inference_usage_estimated_total{gen_ai_operation_name="chat",gen_ai_request_model="chat"}')).toBe(1);
    // Every admitted call waited (0 s) in its model's queue, and the slots are free again.
    expect(sampleValue(text, 'inference_queue_wait_seconds_count{gen_ai_request_model="lang-id"}')).toBe(3);
    expect(sampleValue(text, 'inference_requests_in_flight{gen_ai_request_model="chat"}')).toBe(0);
    expect(sampleValue(text, "inference_token_budget_buckets")).toBe(1);
    for (const name of ["nope-1", "nope-2", "unknown-model", "../x"]) expect(text).not.toContain(name);
  });
});
