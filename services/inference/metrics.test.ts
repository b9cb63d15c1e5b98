// GET /metrics of inference: valid for promtool after real calls, per-backend and GenAI families, bounded labels.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { sampleValue } from "../../lib/testing/metrics-text.ts";
import { promtoolCheckMetrics } from "../../lib/testing/promtool.ts";
import { type Harness, inferenceHarness } from "./testing/harness.ts";
import { chatStream, defaultAnswer, type ModelBackend, modelBackend } from "./testing/model-backend.ts";

let backend: ModelBackend;
let h: Harness;
beforeAll(async () => {
  backend = modelBackend((req, body) => (new URL(req.url).pathname === "/v1/chat/completions" ? chatStream("chat", ["a", "b"], 0) : defaultAnswer(req, body)));
  h = await inferenceHarness({
    "lang-id": { protocol: "oip-v2", backends: [{ url: backend.url }] },
    chat: { protocol: "openai", backends: [{ url: backend.url }] },
  });
});
afterAll(async () => {
  await h.close();
  await backend.stop();
});

describe("inference /metrics", () => {
  test("after OIP, streamed and refused calls: promtool accepts it; the families carry registry names only", async () => {
    const body = { inputs: [{ name: "t", shape: [1], datatype: "BYTES", data: ["x"] }] };
    for (let i = 0; i < 3; i++) expect((await h.post("/v1/models/lang-id/infer", body)).status).toBe(200);
    const stream = await h.post("/v1/chat/completions", { model: "chat", messages: [{ role: "user", content: "hi" }], stream: true });
    await stream.text();
    for (const name of ["nope-1", "nope-2", "../x"]) await h.post(`/v1/models/${encodeURIComponent(name)}/infer`, body);
    await h.post("/v1/chat/completions", { model: "unknown-model", messages: [{ role: "user", content: "hi" }] });

    const text = await h.metrics();
    expect(await promtoolCheckMetrics(text)).toEqual({ ok: true, output: "" });
    const backendName = `127.0.0.1:${backend.port}`;
    expect(sampleValue(text, `inference_backend_attempts_total{model="lang-id",backend="${backendName}",outcome="ok"}`)).toBe(3);
    expect(sampleValue(text, `inference_backend_requests_in_flight{model="chat",backend="${backendName}"}`)).toBe(0);
    expect(sampleValue(text, `inference_circuit_state{model="lang-id",backend="${backendName}"}`)).toBe(0);
    expect(sampleValue(text, `inference_backend_ready{model="chat",backend="${backendName}"}`)).toBe(1);
    expect(sampleValue(text, `gen_ai_server_request_duration_seconds_count{gen_ai_operation_name="infer",gen_ai_request_model="lang-id",error_type=""}`)).toBe(
      3,
    );
    expect(sampleValue(text, `gen_ai_server_time_to_first_token_seconds_count{gen_ai_operation_name="chat",gen_ai_request_model="chat"}`)).toBe(1);
    expect(sampleValue(text, `gen_ai_server_request_duration_seconds_count{gen_ai_operation_name="chat",gen_ai_request_model="chat",error_type=""}`)).toBe(1);
    for (const name of ["nope-1", "nope-2", "unknown-model", "../x"]) expect(text).not.toContain(name);
  });
});
