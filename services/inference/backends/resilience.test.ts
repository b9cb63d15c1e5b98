// Balancing, failover and circuit breakers against model servers on loopback: traffic moves off failing, refusing and unready backends.
import { afterEach, describe, expect, test } from "bun:test";
import { silentLogger } from "../../../lib/logging/logger.ts";
import { type Harness, inferenceHarness } from "../testing/harness.ts";
import { defaultAnswer, type ModelBackend, modelBackend } from "../testing/model-backend.ts";
import { checkReadiness } from "./readiness.ts";

const body = { inputs: [{ name: "t", shape: [1], datatype: "BYTES", data: ["x"] }] };
const OPEN_MS = 300;
const env = { BREAKER_FAILURE_THRESHOLD: "3", BREAKER_OPEN_MS: String(OPEN_MS) };

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});
async function setup(models: (urls: string[]) => Record<string, unknown>, backends: ModelBackend[], extraEnv: Record<string, string> = {}): Promise<Harness> {
  const h = await inferenceHarness(models(backends.map((b) => b.url)), { ...env, ...extraEnv });
  cleanup.push(async () => {
    await h.close();
    for (const b of backends) await b.stop();
  });
  return h;
}
const circuit = async (h: Harness, backend: ModelBackend) =>
  new RegExp(`inference_backend_circuit_state\\{gen_ai_request_model="m",backend="127.0.0.1:${backend.port}"\\} (\\d)`).exec(await h.metrics())?.[1];
const infer = (h: Harness) => h.post("/v1/models/m/infer", body);

describe("circuit breakers", () => {
  test("a failing backend's circuit opens and traffic moves to the healthy one; a half-open probe closes it again", async () => {
    let badFails = true;
    const bad = modelBackend((req, b) => (badFails && req.url.endsWith("/infer") ? new Response("bad gateway", { status: 502 }) : defaultAnswer(req, b)));
    const good = modelBackend();
    const h = await setup((u) => ({ m: { protocol: "oip-v2", backends: [{ url: u[0] }, { url: u[1] }] } }), [bad, good]);
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await infer(h)).status);
    expect(bad.calls()).toHaveLength(3); // the threshold, then no more
    expect(statuses.filter((s) => s === 502)).toHaveLength(3); // a 502 may mean the call was processed: not sent again
    expect(statuses.filter((s) => s === 200)).toHaveLength(9);
    expect(await circuit(h, bad)).toBe("2");
    expect(await circuit(h, good)).toBe("0");

    badFails = false;
    await Bun.sleep(OPEN_MS + 50);
    expect(await circuit(h, bad)).toBe("1");
    for (let i = 0; i < 4; i++) expect((await infer(h)).status).toBe(200);
    expect(await circuit(h, bad)).toBe("0");
    expect(bad.calls().length).toBeGreaterThanOrEqual(4); // the probe and its share afterwards
  });

  test("a pool of one backend opens too: then 503 model_unavailable with Retry-After at once, no call goes out", async () => {
    const only = modelBackend((req, b) => (req.url.endsWith("/infer") ? new Response("down", { status: 502 }) : defaultAnswer(req, b)));
    const h = await setup((u) => ({ m: { protocol: "oip-v2", backends: [{ url: u[0] }] } }), [only]);
    for (let i = 0; i < 3; i++) expect((await infer(h)).status).toBe(502);
    const t0 = performance.now();
    const res = await infer(h);
    expect(performance.now() - t0).toBeLessThan(50);
    expect(res.status).toBe(503);
    expect((await res.json()).code).toBe("model_unavailable");
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(only.calls()).toHaveLength(3);
    expect((await h.fetch("/v1/models/m/ready")).status).toBe(503);
  });
});

describe("failover and Retry-After", () => {
  test("a backend refusing connections: every call lands on the other one (nothing was sent, so it is safe)", async () => {
    const dead = modelBackend();
    await dead.stop();
    const good = modelBackend();
    const h = await setup((u) => ({ m: { protocol: "oip-v2", backends: [{ url: u[0] }, { url: u[1] }] } }), [dead, good]);
    for (let i = 0; i < 6; i++) expect((await infer(h)).status).toBe(200);
    expect(good.calls()).toHaveLength(6);
  });

  test("429 with Retry-After: the call goes to the other backend now, and the refusing one is left alone meanwhile", async () => {
    const busy = modelBackend((req, b) =>
      req.url.endsWith("/infer") ? new Response("busy", { status: 429, headers: { "retry-after": "30" } }) : defaultAnswer(req, b),
    );
    const good = modelBackend();
    const h = await setup((u) => ({ m: { protocol: "oip-v2", backends: [{ url: u[0] }, { url: u[1] }] } }), [busy, good]);
    for (let i = 0; i < 6; i++) expect((await infer(h)).status).toBe(200);
    expect(busy.calls()).toHaveLength(1);
    expect(good.calls()).toHaveLength(6);
  });

  test("one backend answering 503 Retry-After: 1 → the call waits that long and is sent again, with the same request id", async () => {
    let refused = 0;
    const one = modelBackend((req, b) => {
      if (req.url.endsWith("/infer") && refused++ === 0) return new Response("warming up", { status: 503, headers: { "retry-after": "1" } });
      return defaultAnswer(req, b);
    });
    const h = await setup((u) => ({ m: { protocol: "oip-v2", backends: [{ url: u[0] }] } }), [one], { BREAKER_FAILURE_THRESHOLD: "10" });
    const t0 = performance.now();
    const res = await h.post("/v1/models/m/infer", body, { headers: { "x-request-id": "one-id" } });
    const ms = performance.now() - t0;
    expect(res.status).toBe(200);
    expect(ms).toBeGreaterThanOrEqual(950);
    expect(ms).toBeLessThan(1500);
    expect(one.calls().map((c) => c.headers["x-request-id"])).toEqual(["one-id", "one-id"]);
  });

  test("a backend that took the call and went silent is not asked again elsewhere (no duplicated generation)", async () => {
    const slow = modelBackend((req, b) => (req.url.endsWith("/infer") ? new Promise(() => {}) : defaultAnswer(req, b)));
    const good = modelBackend();
    const h = await setup((u) => ({ m: { protocol: "oip-v2", backends: [{ url: u[0] }, { url: u[1] }], timeouts: { firstByteMs: 200 } } }), [slow, good]);
    // Ties go round-robin from the first backend: the first call lands on the silent one.
    const res = await infer(h);
    expect(res.status).toBe(504);
    expect((await res.json()).code).toBe("backend_first_byte_timeout");
    expect(slow.calls()).toHaveLength(1);
    expect(good.calls()).toHaveLength(0);
  });
});

describe("balancing and readiness", () => {
  test("least outstanding requests: concurrent calls spread over equal backends; weights shift the share", async () => {
    const gates: (() => void)[] = [];
    const hold = (req: Request, b: string) =>
      req.url.endsWith("/infer") ? new Promise<Response>((r) => gates.push(() => r(defaultAnswer(req, b)))) : defaultAnswer(req, b);
    const a = modelBackend(hold);
    const c = modelBackend(hold);
    const h = await setup((u) => ({ m: { protocol: "oip-v2", backends: [{ url: u[0] }, { url: u[1], weight: 3 }] } }), [a, c]);
    const pending = Array.from({ length: 8 }, () => infer(h));
    while (gates.length < 8) await Bun.sleep(5);
    expect([a.calls().length, c.calls().length]).toEqual([2, 6]);
    for (const g of gates) g();
    expect((await Promise.all(pending)).every((r) => r.status === 200)).toBe(true);
  });

  test("an unready backend is skipped; with none ready the model is unready and calls get 503", async () => {
    let aReady = false;
    const readyAware = (isReady: () => boolean) => (req: Request, b: string) =>
      req.url.endsWith("/v2/health/ready") ? new Response(null, { status: isReady() ? 200 : 503 }) : defaultAnswer(req, b);
    const a = modelBackend(readyAware(() => aReady));
    let cReady = true;
    const c = modelBackend(readyAware(() => cReady));
    const h = await setup((u) => ({ m: { protocol: "oip-v2", backends: [{ url: u[0] }, { url: u[1] }] } }), [a, c]);
    await checkReadiness(h.pools, { log: silentLogger });
    for (let i = 0; i < 4; i++) expect((await infer(h)).status).toBe(200);
    expect(a.calls()).toHaveLength(0);
    expect(c.calls()).toHaveLength(4);
    cReady = false;
    await checkReadiness(h.pools, { log: silentLogger });
    const res = await infer(h);
    expect(res.status).toBe(503);
    expect((await res.json()).code).toBe("model_unavailable");
    expect((await (await h.fetch("/v1/models")).json()).data[0].ready).toBe(false);
    aReady = true;
    await checkReadiness(h.pools, { log: silentLogger });
    expect((await infer(h)).status).toBe(200);
    expect(a.calls()).toHaveLength(1);
  });
});
