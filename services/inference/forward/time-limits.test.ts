// The four time limits, each at its setting (±10%) with its own problem code: connect, first byte, idle between chunks, total.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type DeclaredBodyServer, declaredBodyServer } from "../../../lib/testing/declared-body-server.ts";
import { type UnacceptingListener, unacceptingListener } from "../../../lib/testing/unaccepting-listener.ts";
import { type Harness, inferenceHarness } from "../testing/harness.ts";
import { chatChunk, type ModelBackend, modelBackend } from "../testing/model-backend.ts";

const CONNECT_MS = 300;
const FIRST_BYTE_MS = 400;
const IDLE_MS = 300;
const TOTAL_MS = 600;

const encoder = new TextEncoder();
const body = { inputs: [{ name: "t", shape: [1], datatype: "BYTES", data: ["x"] }] };
const chat = { model: "chat", messages: [{ role: "user", content: "hi" }], stream: true };

/** A stream that sends `first` and then every `everyMs` (or never again when undefined), never ending on its own. */
const trickle = (first: string, everyMs?: number) =>
  new Response(
    new ReadableStream<Uint8Array>({
      async start(c) {
        c.enqueue(encoder.encode(first));
        if (everyMs === undefined) return;
        for (;;) {
          await Bun.sleep(everyMs);
          try {
            c.enqueue(encoder.encode(chatChunk("chat", "more")));
          } catch {
            return; // cancelled
          }
        }
      },
    }),
    { headers: { "content-type": "text/event-stream" } },
  );

let dead: UnacceptingListener;
let backend: ModelBackend;
// Bodies of a declared length the service reads whole with bytes() (forward/read-whole.ts): one stalls, one trickles.
let stalled: DeclaredBodyServer;
let trickling: DeclaredBodyServer;
let h: Harness;
beforeAll(async () => {
  dead = await unacceptingListener();
  stalled = await declaredBodyServer({ declared: 4096, first: '{"model_name":' });
  trickling = await declaredBodyServer({ declared: 60_000, first: " ", everyMs: 100 });
  backend = modelBackend((req) => {
    const path = new URL(req.url).pathname;
    if (path === "/v2/models/hang/infer") return new Promise<Response>(() => {});
    if (path === "/v2/models/stall/infer") return trickle('{"model_name":');
    if (path === "/v2/models/slow/infer") return trickle(" ", 100);
    const mode = req.headers.get("x-request-id");
    return trickle(chatChunk("chat", "first"), mode === "total" ? 100 : undefined);
  });
  const limits = { connectMs: CONNECT_MS, firstByteMs: FIRST_BYTE_MS, idleMs: IDLE_MS, totalMs: TOTAL_MS };
  const oip = (url: string) => ({ protocol: "oip-v2", backends: [{ url }], timeouts: limits, retries: 0 });
  h = await inferenceHarness(
    {
      unreachable: { ...oip(`http://127.0.0.1:${dead.port}`), timeouts: { ...limits, totalMs: 5_000, firstByteMs: 5_000 } },
      hang: { ...oip(backend.url), timeouts: { ...limits, totalMs: 5_000 } },
      stall: { ...oip(backend.url), timeouts: { ...limits, totalMs: 5_000 } },
      slow: oip(backend.url),
      "stall-declared": { ...oip(stalled.url), timeouts: { ...limits, totalMs: 5_000 } },
      // Idle above total: the total limit has to end a read the runtime does whole (the call's signal aborts the fetch).
      "slow-declared": { ...oip(trickling.url), timeouts: { ...limits, idleMs: 5_000 } },
      chat: { protocol: "openai", backends: [{ url: backend.url }], timeouts: limits, retries: 0 },
    },
    { BREAKER_FAILURE_THRESHOLD: "100" },
  );
  await h.fetch("/v1/models"); // token verified and the app warm before timing
});
afterAll(async () => {
  await h.close();
  await backend.stop();
  await stalled.stop();
  await trickling.stop();
  dead.close();
});

async function timed(res: Promise<Response>): Promise<{ status: number; code: string; ms: number }> {
  const t0 = performance.now();
  const r = await res;
  const p = await r.json();
  return { status: r.status, code: p.code, ms: performance.now() - t0 };
}
const within = (ms: number, target: number) => {
  expect(ms).toBeGreaterThanOrEqual(target * 0.9);
  expect(ms).toBeLessThanOrEqual(target * 1.1);
};

describe("time limits", () => {
  test("connect: a backend whose connects hang → 504 backend_connect_timeout at the connect limit", async () => {
    const r = await timed(h.post("/v1/models/unreachable/infer", body));
    expect([r.status, r.code]).toEqual([504, "backend_connect_timeout"]);
    within(r.ms, CONNECT_MS);
  });

  test("first byte: a backend that accepts and never answers → 504 backend_first_byte_timeout", async () => {
    const r = await timed(h.post("/v1/models/hang/infer", body));
    expect([r.status, r.code]).toEqual([504, "backend_first_byte_timeout"]);
    within(r.ms, FIRST_BYTE_MS);
  });

  test("idle: a body that stops mid-way → 504 backend_idle_timeout (whole answers), an error event (streams)", async () => {
    const r = await timed(h.post("/v1/models/stall/infer", body));
    expect([r.status, r.code]).toEqual([504, "backend_idle_timeout"]);
    within(r.ms, IDLE_MS);
    // The same with a declared length (the body read whole by the runtime, not chunk by chunk).
    const d = await timed(h.post("/v1/models/stall-declared/infer", body));
    expect([d.status, d.code]).toEqual([504, "backend_idle_timeout"]);
    within(d.ms, IDLE_MS);

    const res = await h.post("/v1/chat/completions", chat, { headers: { "x-request-id": "idle" } });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toBe(chatChunk("chat", "first"));
    const t0 = performance.now();
    const rest = new TextDecoder().decode((await reader.read()).value);
    within(performance.now() - t0, IDLE_MS);
    expect(JSON.parse(rest.slice("data: ".length)).error.code).toBe("backend_idle_timeout");
    expect((await reader.read()).done).toBe(true);
  });

  test("total: a body that keeps coming past the limit → 504 backend_total_timeout, or an error event mid-stream", async () => {
    const r = await timed(h.post("/v1/models/slow/infer", body));
    expect([r.status, r.code]).toEqual([504, "backend_total_timeout"]);
    within(r.ms, TOTAL_MS);
    const d = await timed(h.post("/v1/models/slow-declared/infer", body));
    expect([d.status, d.code]).toEqual([504, "backend_total_timeout"]);
    within(d.ms, TOTAL_MS);

    const t0 = performance.now();
    const res = await h.post("/v1/chat/completions", chat, { headers: { "x-request-id": "total" } });
    const text = await res.text();
    within(performance.now() - t0, TOTAL_MS);
    const events = text.split("\n\n").filter(Boolean);
    expect(events.length).toBeGreaterThan(3);
    expect(JSON.parse((events.at(-1) as string).slice("data: ".length)).error.code).toBe("backend_total_timeout");
  });
});
