// Inference through the gateway on real listeners: event streams forwarded unbuffered, chunk by chunk, and a slow first
// token not cut by the gateway's general upstream deadline (inference has its own default).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type Listener, listen } from "../../../lib/serve/listen.ts";
import { gatewayHarness, type Harness, stubServer } from "../testing/harness.ts";

const EVENTS = 12;
const GAP_MS = 40;
/** When the stub upstream handed each event to its response stream (performance.now(), the same process's clock). */
let sentAt: number[] = [];
let h: Harness;
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
});
