// Inference through the gateway on real listeners: event streams forwarded unbuffered, chunk by chunk, and a slow first
// token not cut by the gateway's general upstream deadline (inference has its own default).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createLogger } from "../../../lib/logging/logger.ts";
import { type Listener, listen } from "../../../lib/serve/listen.ts";
import { gatewayHarness, type Harness, stubServer } from "../testing/harness.ts";

const EVENTS = 12;
const GAP_MS = 40;
/** When the stub upstream handed each event to its response stream (performance.now(), the same process's clock). */
let sentAt: number[] = [];
let h: Harness;
/** The gateway's log lines, parsed. */
const lines: Record<string, unknown>[] = [];
let listener: Listener;
let base: string;

/** The upstream: an SSE stream of EVENTS events GAP_MS apart, after `x-first-byte-ms`; any other path answers JSON after it. */
async function upstream(req: Request): Promise<Response> {
  const delay = Number(req.headers.get("x-first-byte-ms") ?? 0);
  if (delay > 0) await Bun.sleep(delay);
  if (!new URL(req.url).pathname.startsWith("/v1/chat/completions")) return Response.json({ ok: true });
  sentAt = [];
  let i = 0;
  const body = new ReadableStream<Uint8Array>({
    async pull(c) {
      if (i > 0) await Bun.sleep(GAP_MS);
      if (i === EVENTS) {
        c.enqueue(new TextEncoder().encode("data: [DONE]\n\n"));
        c.close();
        return;
      }
      sentAt.push(performance.now());
      c.enqueue(new TextEncoder().encode(`data: {"i":${i}}\n\n`));
      i++;
    },
  });
  return new Response(body, { headers: { "content-type": "text/event-stream", "cache-control": "no-cache", "x-accel-buffering": "no" } });
}

let inferenceUpstream: ReturnType<typeof stubServer>;
beforeAll(async () => {
  inferenceUpstream = stubServer(upstream);
  // A general deadline far below the stream's length and the slow first byte below: only inference's own default applies.
  h = await gatewayHarness({
    upstream,
    log: createLogger({ service: "gateway", level: "info", sink: (l) => lines.push(JSON.parse(l)) }),
    env: { UPSTREAM_TIMEOUT_MS: "150", INFERENCE_URL: inferenceUpstream.url, RATE_LIMITS: "inference=1000/s:1000,orders=1000/s:1000" },
  });
  listener = listen({ port: 0, hostname: "127.0.0.1", fetch: h.gateway.fetch, peerAddress: true, idleTimeoutSeconds: 30 });
  base = `http://127.0.0.1:${listener.port}`;
});
afterAll(async () => {
  await listener.stop(true);
  inferenceUpstream.stop();
  h.close();
});

const chat = async (headers: Record<string, string> = {}) =>
  fetch(`${base}/v1/chat/completions`, {
    method: "POST",
    headers: { ...h.bearer(await h.token({ scope: "inference:invoke" })), "content-type": "application/json", ...headers },
    body: JSON.stringify({ model: "chat", messages: [{ role: "user", content: "hi" }], stream: true }),
  });

describe("inference through the gateway", () => {
  test("an event stream arrives chunk by chunk as the upstream sends it, none held back", async () => {
    const res = await chat();
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toStartWith("text/event-stream");
    const reader = res.body?.getReader();
    if (!reader) throw new Error("no body");
    const arrivals: { i: number; at: number }[] = [];
    let text = "";
    for (;;) {
      const r = await reader.read();
      if (r.done) break;
      const at = performance.now();
      text += new TextDecoder().decode(r.value);
      for (const m of new TextDecoder().decode(r.value).matchAll(/"i":(\d+)/g)) arrivals.push({ i: Number(m[1]), at });
    }
    expect(text.endsWith("data: [DONE]\n\n")).toBe(true);
    expect(arrivals.map((a) => a.i)).toEqual([...Array(EVENTS).keys()]);
    // Each event reached the client before the upstream sent the next one: nothing waited for more to come.
    for (const a of arrivals.slice(0, -1)) expect(a.at).toBeLessThan(sentAt[a.i + 1] as number);
    const delays = arrivals.map((a) => a.at - (sentAt[a.i] as number)).sort((x, y) => x - y);
    expect(delays[Math.floor(delays.length / 2)]).toBeLessThan(10);
  });

  test("a first byte later than UPSTREAM_TIMEOUT_MS passes for inference (its default is its own), not for orders", async () => {
    expect(h.cfg.UPSTREAM_TIMEOUTS.inference).toBe(600_000);
    const slow = await chat({ "x-first-byte-ms": "400" });
    expect(slow.status).toBe(200);
    expect((await slow.text()).endsWith("data: [DONE]\n\n")).toBe(true);
    const orders = await fetch(`${base}/v1/orders`, { headers: { ...h.bearer(await h.token({ scope: "orders:read" })), "x-first-byte-ms": "400" } });
    expect(orders.status).toBe(504);
    await orders.body?.cancel();
  });

  test("a stream's access line is written when it ends, with the whole stream's duration; a stream the client left says so", async () => {
    const started = performance.now();
    const whole = await chat({ "x-request-id": "stream-whole" });
    expect((await whole.text()).endsWith("data: [DONE]\n\n")).toBe(true);
    const took = performance.now() - started;
    await Bun.sleep(10);
    const line = lines.find((l) => l.msg === "request" && l.request_id === "stream-whole");
    expect(line).toMatchObject({ status: 200, route: "/v1/chat/completions", upstream: "inference" });
    expect(line).not.toHaveProperty("stream_error");
    // (EVENTS - 1) gaps of GAP_MS: the line covers the stream, not only its head.
    expect(line?.duration_ms as number).toBeGreaterThan((EVENTS - 1) * GAP_MS * 0.9);
    expect(line?.duration_ms as number).toBeLessThanOrEqual(took);

    const left = await chat({ "x-request-id": "stream-left" });
    const reader = left.body?.getReader();
    await reader?.read();
    expect(lines.some((l) => l.request_id === "stream-left")).toBe(false); // not before the stream ends
    await reader?.cancel();
    for (let i = 0; i < 50 && !lines.some((l) => l.request_id === "stream-left"); i++) await Bun.sleep(10);
    expect(lines.find((l) => l.request_id === "stream-left")).toMatchObject({ status: 200, stream_error: "client_closed_request" });
  });
});
