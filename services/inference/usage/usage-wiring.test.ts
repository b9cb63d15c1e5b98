// Usage through the service against the real model server: include_usage asked upstream, the usage chunk stripped or kept,
// estimates flagged when the backend sends none, and every call's usage in the access log line and in /metrics.
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { createLogger } from "../../../lib/logging/logger.ts";
import { sampleValue } from "../../../lib/testing/metrics-text.ts";
import { promtoolCheckMetrics } from "../../../lib/testing/promtool.ts";
import { startTestModelServer, type TestModelServer } from "../../../tools/model-server/testing/start.ts";
import { type Harness, inferenceHarness } from "../testing/harness.ts";

let server: TestModelServer;
let h: Harness;
const lines: Record<string, unknown>[] = [];
beforeAll(async () => {
  server = await startTestModelServer({ cadenceMs: 1, chunks: 6 });
  const log = createLogger({ service: "inference", level: "info", sink: (l) => lines.push(JSON.parse(l)) });
  h = await inferenceHarness(
    {
      chat: { protocol: "openai", backends: [{ url: server.url, model: "echo-chat" }] },
      embed: { protocol: "openai", backends: [{ url: server.url, model: "lang-id-embed" }] },
    },
    { INFERENCE_READINESS_INTERVAL_MS: "0" },
    undefined,
    { log },
  );
});
afterEach(() => server.clearFault());
afterAll(async () => {
  await h.close();
  await server.stop();
});

const messages = [{ role: "user", content: "Hello there, how are you today?" }];

/** The SSE events' data, [DONE] included. */
async function events(res: Response): Promise<string[]> {
  const text = await res.text();
  return text
    .split("\n\n")
    .filter((e) => e.startsWith("data: "))
    .map((e) => e.slice(6));
}
const usageChunks = (data: string[]) =>
  data
    .filter((d) => d !== "[DONE]")
    .flatMap((d) => {
      const o = JSON.parse(d) as { choices: unknown[]; usage?: unknown };
      return o.usage ? [o] : [];
    });

/**
 * The access-log line of the last request to `route`, or of the one with `requestId` (lines are written after the
 * answer, a stream's when it ended: the last line may still be an earlier call's).
 */
async function logLine(route: string, requestId?: string): Promise<Record<string, unknown>> {
  for (let i = 0; i < 50; i++) {
    const line = lines.findLast((l) => l.msg === "request" && l.route === route && (requestId === undefined || l.request_id === requestId));
    if (line) return line;
    await Bun.sleep(10);
  }
  throw new Error(`no access-log line for ${route}`);
}

/** What the model server reports for this prompt: the same call made to it directly. */
async function directUsage(): Promise<{ prompt_tokens: number; completion_tokens: number; total_tokens: number }> {
  const res = await fetch(`${server.url}/v1/chat/completions`, { method: "POST", body: JSON.stringify({ model: "echo-chat", messages }) });
  return ((await res.json()) as { usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number } }).usage;
}

describe("streamed usage", () => {
  test("a client that did not ask for usage gets no usage chunk, yet the backend's true usage is logged (include_usage was injected)", async () => {
    const truth = await directUsage();
    lines.length = 0;
    const res = await h.post("/v1/chat/completions", { model: "chat", messages, stream: true });
    expect(res.status).toBe(200);
    const data = await events(res);
    expect(data.at(-1)).toBe("[DONE]");
    expect(usageChunks(data)).toEqual([]);
    // Every chunk the backend sent with "usage": null is forwarded as it came: only the usage-only chunk is gone.
    expect(data.length).toBe(1 + 6 + 1 + 1);
    const line = await logLine("/v1/chat/completions");
    expect(line).toMatchObject({
      status: 200,
      model: "chat",
      backend: `127.0.0.1:${server.port}`,
      input_tokens: truth.prompt_tokens,
      output_tokens: truth.completion_tokens,
      total_tokens: truth.total_tokens,
      usage_estimated: false,
    });
  });

  test("a client that asked for usage gets the backend's usage chunk, unchanged and not estimated", async () => {
    const truth = await directUsage();
    const res = await h.post("/v1/chat/completions", { model: "chat", messages, stream: true, stream_options: { include_usage: true } });
    const chunks = usageChunks(await events(res));
    expect(chunks).toEqual([expect.objectContaining({ choices: [], usage: truth })]);
  });

  test("a backend that sends no usage: the client that asked gets an estimated usage chunk before [DONE], flagged", async () => {
    await server.setFault({ fault: "no-usage" });
    const before = sampleValue(await h.metrics(), 'inference_usage_estimated_total{gen_ai_operation_name="chat",gen_ai_request_model="chat"}') ?? 0;
    const res = await h.post("/v1/chat/completions", { model: "chat", messages, stream: true, stream_options: { include_usage: true } });
    const data = await events(res);
    expect(data.at(-1)).toBe("[DONE]");
    const [chunk] = usageChunks(data) as { usage: { prompt_tokens: number; completion_tokens: number; estimated?: boolean } }[];
    expect(chunk?.usage.estimated).toBe(true);
    // Six content chunks of the echo: the count comes from the text forwarded, the prompt from the request.
    expect(chunk?.usage.completion_tokens).toBeGreaterThanOrEqual(6);
    expect(chunk?.usage.prompt_tokens).toBeGreaterThan(0);
    expect(await logLine("/v1/chat/completions")).toMatchObject({ usage_estimated: true, output_tokens: chunk?.usage.completion_tokens });
    const after = sampleValue(await h.metrics(), 'inference_usage_estimated_total{gen_ai_operation_name="chat",gen_ai_request_model="chat"}');
    expect(after).toBe(before + 1);
  });
});

describe("complete answers", () => {
  test("chat: the backend's usage passes as it is; without one, an estimate is added and flagged", async () => {
    const truth = await directUsage();
    const plain = (await (await h.post("/v1/chat/completions", { model: "chat", messages })).json()) as { usage: unknown };
    expect(plain.usage).toEqual(truth);
    await server.setFault({ fault: "no-usage" });
    const res = await h.post("/v1/chat/completions", { model: "chat", messages }, { headers: { "x-request-id": "estimated-1" } });
    const body = (await res.json()) as { usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number; estimated: boolean } };
    expect(body.usage.estimated).toBe(true);
    expect(body.usage.total_tokens).toBe(body.usage.prompt_tokens + body.usage.completion_tokens);
    expect(await logLine("/v1/chat/completions", "estimated-1")).toMatchObject({ usage_estimated: true, total_tokens: body.usage.total_tokens });
  });

  test("embeddings: input tokens only, in the log line and the token-usage histogram", async () => {
    const input = ["bonjour tout le monde", "hello world"];
    const direct = (await (await fetch(`${server.url}/v1/embeddings`, { method: "POST", body: JSON.stringify({ model: "lang-id-embed", input }) })).json()) as {
      usage: { prompt_tokens: number };
    };
    const res = await h.post("/v1/embeddings", { model: "embed", input });
    expect(res.status).toBe(200);
    expect(await logLine("/v1/embeddings")).toMatchObject({
      model: "embed",
      input_tokens: direct.usage.prompt_tokens,
      output_tokens: 0,
      usage_estimated: false,
    });
    const text = await h.metrics();
    const E = 'gen_ai_operation_name="embeddings",gen_ai_provider_name="openai",gen_ai_request_model="embed"';
    expect(sampleValue(text, `gen_ai_client_token_usage_sum{${E},gen_ai_token_type="input"}`)).toBe(direct.usage.prompt_tokens);
    expect(sampleValue(text, `gen_ai_client_token_usage_count{${E},gen_ai_token_type="output"}`)).toBe(0);
    expect(await promtoolCheckMetrics(text)).toEqual({ ok: true, output: "" });
  });
});
