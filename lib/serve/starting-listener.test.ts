import { expect, test } from "bun:test";
import { listenStarting } from "./listen.ts";
import { listenEarly, portFromEnv, startingAnswer } from "./starting-listener.ts";

const at = (path: string, init?: RequestInit) => startingAnswer(new Request(`http://svc${path}`, init));

test("a starting process: /healthz 200, /readyz and /startupz 503 starting, everything else 503 problem+json with Retry-After", async () => {
  const healthz = at("/healthz");
  expect([healthz.status, await healthz.json()]).toEqual([200, { status: "ok" }]);
  for (const probe of ["/readyz", "/startupz"]) {
    const r = at(probe);
    expect([r.status, await r.json()]).toEqual([503, { status: "starting" }]);
  }
  const business = at("/v1/orders?limit=2", { method: "POST", headers: { "x-request-id": "req-1" } });
  expect(business.status).toBe(503);
  expect(business.headers.get("content-type")).toBe("application/problem+json");
  expect(business.headers.get("retry-after")).toBe("1");
  expect(business.headers.get("x-request-id")).toBe("req-1");
  expect(await business.json()).toMatchObject({ status: 503, code: "service_unavailable", instance: "/v1/orders", request_id: "req-1" });
  // Not a probe: a POST to /healthz is a request the service will answer (405) once started, not a liveness check.
  expect(at("/healthz", { method: "POST" }).status).toBe(503);
  expect(at("/healthz").headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
});

test("PORT is read as the env schema reads it; what the schema would refuse gives no early listener", () => {
  expect(portFromEnv(undefined, 8081)).toBe(8081);
  expect(portFromEnv("", 8081)).toBe(8081);
  expect(portFromEnv("9000", 8081)).toBe(9000);
  for (const bad of ["0", "65536", "80a", " 80", "-1", "8.5"]) expect(portFromEnv(bad, 8081)).toBeUndefined();
});

test("the listener answers as a starting process until serve(), then with the service's handler (peer address when asked)", async () => {
  const listener = listenStarting({ port: 0, hostname: "127.0.0.1", whileStarting: startingAnswer });
  try {
    const url = `http://127.0.0.1:${listener.port}`;
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/v1/x`)).status).toBe(503);
    listener.serve({ fetch: (req, peer) => new Response(`${new URL(req.url).pathname} from ${peer}`), peerAddress: true });
    expect(await (await fetch(`${url}/v1/x`)).text()).toBe("/v1/x from 127.0.0.1");
  } finally {
    await listener.stop(true);
  }
});

test("a service asking for a longer idle limit than the socket's gets it per request", async () => {
  const listener = listenStarting({ port: 0, hostname: "127.0.0.1", whileStarting: startingAnswer, idleTimeoutSeconds: 1 });
  try {
    // Bun checks idle limits every ~4 s: a 1 s limit cuts a 5 s wait (measured), a 10 s one does not.
    const late = async () => {
      await Bun.sleep(5_000);
      return new Response("late");
    };
    listener.serve({ fetch: late, idleTimeoutSeconds: 10 });
    expect(await (await fetch(`http://127.0.0.1:${listener.port}/`)).text()).toBe("late");
  } finally {
    await listener.stop(true);
  }
}, 15_000);

test("no early listener when the port is taken: the start listens itself and reports that failure", async () => {
  const taken = Bun.serve({ port: 0, fetch: () => new Response("") });
  try {
    expect(listenEarly({ PORT: String(taken.port) }, 1)).toBeUndefined();
    expect(listenEarly({ PORT: "not-a-port" }, 1)).toBeUndefined();
  } finally {
    await taken.stop(true);
  }
});
