import { afterAll, describe, expect, test } from "bun:test";
import { unacceptingListener } from "../../testing/unaccepting-listener.ts";
import { createCircuitBreaker } from "./circuit-breaker.ts";
import { createUpstreamClient, UpstreamError } from "./upstream-client.ts";

// One stub upstream whose behaviour each test sets; it counts the calls it sees.
let behaviour: (req: Request) => Response | Promise<Response> = () => new Response("ok");
let calls = 0;
const stub = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  idleTimeout: 30,
  fetch: (req) => {
    calls++;
    return behaviour(req);
  },
});
afterAll(() => stub.stop(true));

function client(over: Partial<Parameters<typeof createUpstreamClient>[0]> = {}) {
  calls = 0;
  const breaker = createCircuitBreaker({ name: "stub", failureThreshold: 3, openMs: 150 });
  return createUpstreamClient({
    name: "stub",
    baseUrl: `http://127.0.0.1:${stub.port}`,
    responseTimeoutMs: 1_000,
    breaker,
    backoff: { baseMs: 5, capMs: 20 },
    ...over,
  });
}

const get = (c: ReturnType<typeof client>, method = "GET", body?: string) => c.send({ method, target: "/x?y=1", headers: new Headers(), body });
async function failure(p: Promise<unknown>): Promise<UpstreamError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(UpstreamError);
    return err as UpstreamError;
  }
  throw new Error("expected an UpstreamError");
}

describe("upstream client", () => {
  test("passes method, target and body through", async () => {
    behaviour = async (req) => new Response(`${req.method} ${new URL(req.url).pathname}${new URL(req.url).search} ${await req.text()}`);
    const c = client();
    expect(await (await get(c, "POST", "hello")).text()).toBe("POST /x?y=1 hello");
  });

  test("a hung upstream → timeout at the deadline", async () => {
    behaviour = () => new Promise(() => {});
    const c = client({ responseTimeoutMs: 200 });
    const t0 = performance.now();
    const err = await failure(get(c));
    expect(err.kind).toBe("timeout");
    expect(performance.now() - t0).toBeGreaterThanOrEqual(195);
    expect(performance.now() - t0).toBeLessThan(400);
  });

  test("connects that hang → a connect timeout at the connect deadline, long before the response deadline", async () => {
    const hung = await unacceptingListener();
    try {
      const c = client({ baseUrl: `http://127.0.0.1:${hung.port}`, responseTimeoutMs: 5_000, connectTimeoutMs: 200 });
      const t0 = performance.now();
      const err = await failure(get(c));
      const ms = performance.now() - t0;
      expect(err.kind).toBe("timeout");
      expect(err.connect).toBe(true);
      // The probe starts halfway, so its verdict is in at the connect timeout itself: the setting, not twice it.
      expect(ms).toBeGreaterThanOrEqual(195);
      expect(ms).toBeLessThan(260);
    } finally {
      hung.close();
    }
  });

  test("an upstream that accepts but answers slowly: past the connect timeout the call waits on, to its answer or deadline", async () => {
    let probes = 0;
    const counted = async () => {
      probes++;
      return true;
    };
    behaviour = () => Bun.sleep(300).then(() => new Response("late"));
    const late = client({ responseTimeoutMs: 2_000, connectTimeoutMs: 100, probe: counted });
    expect(await (await get(late)).text()).toBe("late");
    expect(probes).toBe(1);

    behaviour = () => new Promise(() => {});
    const hung = client({ responseTimeoutMs: 400, connectTimeoutMs: 100, probe: counted });
    const t0 = performance.now();
    const err = await failure(get(hung));
    expect(err.kind).toBe("timeout");
    expect(err.connect).toBe(false);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(395);
    expect(performance.now() - t0).toBeLessThan(600);
  });

  test("a probe still out at the connect timeout counts as not accepting: a connect timeout then, not later", async () => {
    let probes = 0;
    behaviour = () => new Promise(() => {});
    const c = client({
      responseTimeoutMs: 2_000,
      connectTimeoutMs: 200,
      probe: () => {
        probes++;
        return new Promise<boolean>(() => {});
      },
    });
    const t0 = performance.now();
    const err = await failure(get(c));
    const ms = performance.now() - t0;
    expect([err.kind, err.connect, probes]).toEqual(["timeout", true, 1]);
    expect(ms).toBeGreaterThanOrEqual(195);
    expect(ms).toBeLessThan(260);
  });

  test("the probe starts at half the connect timeout: a call answered sooner never probes, one answered later does", async () => {
    let probes = 0;
    const counted = async () => ++probes > 0;
    behaviour = () => Bun.sleep(60).then(() => new Response("sooner"));
    const c = client({ connectTimeoutMs: 200, probe: counted });
    expect(await (await get(c)).text()).toBe("sooner");
    expect(probes).toBe(0);
    behaviour = () => Bun.sleep(150).then(() => new Response("later"));
    expect(await (await get(c)).text()).toBe("later");
    expect(probes).toBe(1);
  });

  test("a call answered within the connect timeout never probes", async () => {
    let probes = 0;
    behaviour = () => new Response("quick");
    const c = client({ connectTimeoutMs: 200, probe: async () => ++probes > 0 });
    for (let i = 0; i < 5; i++) expect(await (await get(c)).text()).toBe("quick");
    expect(probes).toBe(0);
  });

  test("idempotent requests retry 503 with backoff until one succeeds", async () => {
    let n = 0;
    behaviour = () => (++n < 3 ? new Response("busy", { status: 503 }) : new Response("fine"));
    const c = client();
    expect(await (await get(c)).text()).toBe("fine");
    expect(calls).toBe(3);
  });

  test("retries stop after maxRetries; the last answer is returned", async () => {
    behaviour = () => new Response("busy", { status: 503 });
    const c = client({ maxRetries: 1 });
    expect((await get(c)).status).toBe(503);
    expect(calls).toBe(2);
  });

  test("a POST is never retried", async () => {
    behaviour = () => new Response("busy", { status: 503 });
    const c = client();
    expect((await get(c, "POST", "{}")).status).toBe(503);
    expect(calls).toBe(1);
  });

  test("a refused connection is a network failure, retried for GET", async () => {
    const dead = Bun.serve({ port: 0, fetch: () => new Response() });
    const port = dead.port;
    await dead.stop(true);
    const c = client({ baseUrl: `http://127.0.0.1:${port}` });
    expect((await failure(get(c))).kind).toBe("network");
    expect(c.breaker.snapshot().consecutiveFailures).toBe(3); // first attempt + 2 retries
  });

  test("open breaker rejects at once without a call; a probe closes it after recovery", async () => {
    behaviour = () => new Response("down", { status: 502 });
    const c = client({ maxRetries: 0 });
    for (let i = 0; i < 3; i++) await get(c);
    expect(c.breaker.state()).toBe("open");
    const before = calls;
    const err = await failure(get(c));
    expect(err.kind).toBe("circuit_open");
    expect(err.retryAfterMs).toBeGreaterThan(0);
    expect(calls).toBe(before);
    behaviour = () => new Response("up");
    await Bun.sleep(160);
    expect(c.breaker.state()).toBe("half_open");
    expect(await (await get(c)).text()).toBe("up");
    expect(c.breaker.state()).toBe("closed");
  });

  test("the caller's abort signal cancels the wait and does not count against the upstream", async () => {
    behaviour = () => new Promise(() => {});
    const c = client();
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    const err = await failure(c.send({ method: "GET", target: "/", headers: new Headers(), signal: ac.signal }));
    expect(err.kind).toBe("aborted");
    expect(c.breaker.snapshot().consecutiveFailures).toBe(0);
  });
});
