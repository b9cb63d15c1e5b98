// The gateway shut down under a stream longer than its grace period (a rolling restart of the edge): the client gets an
// error event it can act on, the model call behind it is cancelled, and the gateway exits cleanly.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { interruptAtMs } from "../../lib/serve/shutdown.ts";
import { readSse, type SseEvent } from "../../tools/model-server/testing/sse.ts";
import { type InferenceStack, startInferenceStack } from "./inference-stack.ts";

const GRACE_MS = 3_000;

describe("gateway shutdown with a stream in progress (processes)", () => {
  let stack: InferenceStack;

  beforeAll(async () => {
    // A 200-token stream at 100 ms a token: 20 s, far past the gateway's grace period.
    stack = await startInferenceStack({ cadenceMs: 100, chunks: 200, gatewayEnv: { SHUTDOWN_GRACE_MS: String(GRACE_MS), LOG_LEVEL: "info" } });
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
  });

  test("the stream ends with the service_unavailable error event before the grace period; the model call is cancelled; exit 0", async () => {
    const res = await fetch(`${stack.gateway.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${stack.userToken("inference:invoke")}`, "content-type": "application/json", "x-request-id": "edge-restart" },
      body: JSON.stringify({ model: "echo-chat", stream: true, messages: [{ role: "user", content: "hi" }] }),
    });
    expect(res.status).toBe(200);
    const events: SseEvent[] = [];
    const reading = readSse(res, events);
    for (let i = 0; i < 100 && events.length < 5; i++) await Bun.sleep(20);
    const t0 = performance.now();
    const exited = stack.gateway.stop("SIGTERM");
    // Before the change, this read failed: the hard exit cut the connection mid-stream.
    await reading;
    const ended = performance.now() - t0;

    expect(JSON.parse(events.at(-1)?.data ?? "")).toEqual({
      error: {
        message: "The gateway is shutting down and ended this stream; send the request again.",
        type: "server_error",
        param: null,
        code: "service_unavailable",
      },
    });
    // Every event before it is whole (it parses) and none is the end marker.
    for (const e of events.slice(0, -1)) expect(JSON.parse(e.data).object).toBe("chat.completion.chunk");
    expect(events.length).toBeGreaterThan(5);
    expect(ended).toBeGreaterThan(interruptAtMs(GRACE_MS) - 300);
    expect(ended).toBeLessThan(GRACE_MS);
    expect(await exited).toBe(0);

    // The gateway let go of inference's stream, and inference cancelled the model call.
    let aborted: number | undefined;
    for (let i = 0; i < 50 && aborted === undefined; i++) {
      aborted = (await stack.models.stats()).recent.find((r) => r.headers["x-request-id"] === "edge-restart")?.abortedAt;
      if (aborted === undefined) await Bun.sleep(20);
    }
    expect(aborted).toBeNumber();
    expect(stack.gateway.output()).toContain('"msg":"ended requests the shutdown would have cut off","resource":"streams","count":1');
    expect(stack.gateway.output()).not.toContain("grace period exceeded");
    // The access line says how the stream ended, and covers it to its end (written at the head, it said a plain 200).
    const line = requestLine(stack.gateway.output(), "edge-restart");
    expect(line).toMatchObject({ status: 200, upstream: "inference", stream_error: "service_unavailable" });
    expect(line?.duration_ms as number).toBeGreaterThan(interruptAtMs(GRACE_MS) - 300);
  }, 30_000);
});

describe("inference killed under a stream through the gateway (processes)", () => {
  let stack: InferenceStack;

  beforeAll(async () => {
    stack = await startInferenceStack({ cadenceMs: 100, chunks: 200, gatewayEnv: { LOG_LEVEL: "info" } });
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
  });

  test("kill -9 of inference mid-stream: the client gets a bad_gateway error event after the last whole event", async () => {
    const res = await fetch(`${stack.gateway.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${stack.userToken("inference:invoke")}`, "content-type": "application/json", "x-request-id": "service-died" },
      body: JSON.stringify({ model: "echo-chat", stream: true, messages: [{ role: "user", content: "hi" }] }),
    });
    expect(res.status).toBe(200);
    const events: SseEvent[] = [];
    const reading = readSse(res, events);
    for (let i = 0; i < 100 && events.length < 5; i++) await Bun.sleep(20);
    await stack.inference.stop("SIGKILL");
    // Before the change, this read failed with the gateway's connection reset.
    await reading;

    expect(JSON.parse(events.at(-1)?.data ?? "")).toEqual({
      error: { message: "inference's stream broke off.", type: "server_error", param: null, code: "bad_gateway" },
    });
    for (const e of events.slice(0, -1)) expect(JSON.parse(e.data).object).toBe("chat.completion.chunk");
    expect(events.length).toBeGreaterThan(5);
    let line: Record<string, unknown> | undefined;
    for (let i = 0; i < 50 && line === undefined; i++) {
      line = requestLine(stack.gateway.output(), "service-died");
      if (line === undefined) await Bun.sleep(20);
    }
    expect(line).toMatchObject({ status: 200, upstream: "inference", stream_error: "bad_gateway" });
  }, 30_000);
});

/** The gateway's access line for a request id, parsed, if written. */
function requestLine(output: string, requestId: string): Record<string, unknown> | undefined {
  for (const text of output.split("\n")) {
    if (!text.includes(`"request_id":"${requestId}"`) || !text.includes('"msg":"request"')) continue;
    return JSON.parse(text) as Record<string, unknown>;
  }
  return undefined;
}
