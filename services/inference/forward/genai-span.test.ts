// Tracing through the service against the real model server: a GenAI span per model call with gen_ai.* attributes,
// the backend call its child, the backend given that trace, and the access-log line in it.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { SpanKind } from "@opentelemetry/api";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { createLogger } from "../../../lib/logging/logger.ts";
import { installTestTracing, type TestTracing } from "../../../lib/telemetry/testing.ts";
import { startTestModelServer, type TestModelServer } from "../../../tools/model-server/testing/start.ts";
import { type Harness, inferenceHarness } from "../testing/harness.ts";

let server: TestModelServer;
let h: Harness;
let tracing: TestTracing;
const lines: Record<string, unknown>[] = [];
beforeAll(async () => {
  server = await startTestModelServer({ cadenceMs: 1, chunks: 4 });
  tracing = installTestTracing();
  const log = createLogger({ service: "inference", level: "info", sink: (l) => lines.push(JSON.parse(l)), context: tracing.logContext });
  h = await inferenceHarness(
    {
      chat: { protocol: "openai", backends: [{ url: server.url, model: "echo-chat" }] },
      "lang-id": { protocol: "oip-v2", backends: [{ url: server.url }] },
    },
    { INFERENCE_READINESS_INTERVAL_MS: "0" },
    undefined,
    { log, tracing },
  );
});
afterAll(async () => {
  await h.close();
  await server.stop();
  await tracing.close();
});

const byName = (name: string) => tracing.spans().filter((s) => s.name === name);
const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId;

async function spanNamed(name: string): Promise<ReadableSpan> {
  for (let i = 0; i < 50; i++) {
    const found = byName(name).at(-1);
    if (found) return found;
    await Bun.sleep(10);
  }
  throw new Error(`no span ${name}: ${tracing.spans().map((s) => s.name)}`);
}

describe("GenAI spans", () => {
  test("a streamed chat: span `chat chat` under the server span, gen_ai.* and usage attributes, backend call as its child", async () => {
    tracing.reset();
    server.resetStats();
    const res = await h.post("/v1/chat/completions", {
      model: "chat",
      messages: [{ role: "user", content: "one two three four" }],
      stream: true,
      max_tokens: 50,
    });
    expect(res.status).toBe(200);
    await res.text();
    const span = await spanNamed("chat chat");
    const direct = (await (
      await fetch(`${server.url}/v1/chat/completions`, {
        method: "POST",
        body: JSON.stringify({ model: "echo-chat", messages: [{ role: "user", content: "one two three four" }], max_tokens: 50 }),
      })
    ).json()) as { usage: { prompt_tokens: number; completion_tokens: number } };
    expect(span.attributes).toMatchObject({
      "gen_ai.operation.name": "chat",
      "gen_ai.provider.name": "openai",
      "gen_ai.request.model": "chat",
      "gen_ai.request.max_tokens": 50,
      "gen_ai.response.model": "echo-chat",
      "gen_ai.usage.input_tokens": direct.usage.prompt_tokens,
      "gen_ai.usage.output_tokens": direct.usage.completion_tokens,
      "server.address": `127.0.0.1:${server.port}`,
    });
    const serverSpan = await spanNamed("POST /v1/chat/completions");
    expect(serverSpan.kind).toBe(SpanKind.SERVER);
    expect(parentOf(span)).toBe(serverSpan.spanContext().spanId);
    const client = tracing.spans().find((s) => s.kind === SpanKind.CLIENT && parentOf(s) === span.spanContext().spanId);
    expect(client).toBeDefined();
    // The backend got the trace: its traceparent names the client span.
    const seen = (await server.stats()).recent.find((r) => r.route === "POST /v1/chat/completions");
    expect(seen?.headers.traceparent).toBe(`00-${span.spanContext().traceId}-${client?.spanContext().spanId}-01`);
    // The access-log line (written at the stream's end) is in the same trace.
    const line = lines.findLast((l) => l.msg === "request" && l.route === "/v1/chat/completions");
    expect(line?.trace_id).toBe(span.spanContext().traceId);
  });

  test("an OIP call and a failed one: `infer lang-id`, error.type on failure", async () => {
    tracing.reset();
    const body = { inputs: [{ name: "text", shape: [1], datatype: "BYTES", data: ["Guten Morgen"] }] };
    expect((await h.post("/v1/models/lang-id/infer", body)).status).toBe(200);
    const ok = await spanNamed("infer lang-id");
    expect(ok.attributes).toMatchObject({ "gen_ai.operation.name": "infer", "gen_ai.provider.name": "oip_v2", "gen_ai.request.model": "lang-id" });
    expect(ok.attributes["error.type"]).toBeUndefined();
    await server.setFault({ fault: "fail", count: 1 });
    tracing.reset();
    expect((await h.post("/v1/models/lang-id/infer", body)).status).toBe(502);
    const failed = await spanNamed("infer lang-id");
    expect(failed.attributes["error.type"]).toBe("backend_error");
    expect(failed.status.code).toBe(2); // ERROR
  });
});
