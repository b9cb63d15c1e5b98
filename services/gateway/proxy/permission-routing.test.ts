// Through the gateway: each contract operation passes with exactly its scope, a path the contracts lack is 404 at the edge (another method on one they list 405), inference's three path families reach it.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createInternalTokenVerifier } from "../../../lib/auth/internal-token.ts";
import { SCOPES } from "../../../lib/auth/principal.ts";
import { sampleValue } from "../../../lib/testing/metrics-text.ts";
import { underPrefix } from "../auth/contract-permissions.ts";
import { CHECKED_IN_CONTRACTS } from "../auth/route-permissions.ts";
import { gatewayHarness, type Harness } from "../testing/harness.ts";
import { SERVICES } from "./routes.ts";

const INSIDE = "10.0.0.9";
const METHODS = ["get", "put", "post", "delete", "patch"];

/** method, concrete path and scope of every operation the gateway should route, from the contracts. */
const operations: { service: string; method: string; path: string; scope: string }[] = [
  ...SERVICES.flatMap((svc) =>
    Object.entries(CHECKED_IN_CONTRACTS[svc.name]?.paths ?? {})
      .filter(([template]) => underPrefix(template, svc.prefixes))
      .flatMap(([template, item]) =>
        METHODS.filter((m) => item[m] !== undefined).map((m) => ({
          service: svc.name,
          method: m.toUpperCase(),
          path: template.replace(/\{[^}]+\}/g, "p-7f3a"),
          scope: (item[m] as { security: Record<string, string[]>[] }).security.flatMap((r) => Object.values(r).flat())[0] as string,
        })),
      ),
  ),
];

const LIMITS = "orders=10000/s:10000,notifications=10000/s:10000,inference=10000/s:10000";
/** Routes orders only; its recording stub is also the upstream of every service of `all` below. */
let h: Harness;
beforeAll(async () => {
  h = await gatewayHarness({ env: { RATE_LIMITS: LIMITS } });
});
afterAll(() => h.close());

describe("each routed operation needs exactly its contract's scope", () => {
  let all: Harness;
  beforeAll(async () => {
    const stub = h.upstream.url;
    all = await gatewayHarness({ env: { RATE_LIMITS: LIMITS, ORDERS_URL: stub, NOTIFICATIONS_URL: stub, INFERENCE_URL: stub } });
  });
  afterAll(() => all.close());

  test("the operations cover all three services", () => {
    expect(new Set(operations.map((o) => o.service))).toEqual(new Set(["orders", "notifications", "inference"]));
    expect(operations.length).toBe(4 + 5 + 6);
  });

  for (const o of operations) {
    test(`${o.method} ${o.path}: ${o.scope} passes, every other scope is 403`, async () => {
      const send = async (scope: string) =>
        all.gateway.request(o.path, {
          method: o.method,
          headers: { ...all.bearer(await all.token({ sub: "alice", scope })), "content-type": "application/json" },
          body: o.method === "GET" ? undefined : "{}",
        });
      const before = h.upstream.seen.length;
      const ok = await send(o.scope);
      expect(ok.status).toBe(200);
      const seen = h.upstream.seen.at(-1);
      expect(h.upstream.seen.length).toBe(before + 1);
      expect(`${seen?.method} ${new URL(seen?.url ?? "http://x").pathname}`).toBe(`${o.method} ${o.path}`);
      const principal = await createInternalTokenVerifier({ jwks: all.internal.jwks, audience: o.service })(
        seen?.headers.authorization?.replace(/^Bearer /, "") ?? "",
      );
      expect([...principal.scopes]).toEqual([o.scope]);

      const denied = await send(SCOPES.filter((s) => s !== o.scope).join(" "));
      expect(denied.status).toBe(403);
      expect(await denied.json()).toMatchObject({ code: "insufficient_scope", detail: `This operation needs one of: ${o.scope}.` });
      expect(denied.headers.get("www-authenticate")).toContain(o.scope);
      expect(h.upstream.seen.length).toBe(before + 1);
    });
  }

  test("a path the contracts do not list is 404 and another method on a listed path 405 with its Allow, after authentication, never forwarded", async () => {
    const everything = all.bearer(await all.token({ sub: "alice", scope: SCOPES.join(" ") }));
    const before = h.upstream.seen.length;
    // [method, path, status, Allow]: one rule for every method, TRACE and CONNECT included; a trailing slash is another path.
    const cases: [string, string, number, string | null][] = [
      ["DELETE", "/v1/orders/p-7f3a", 405, "GET, HEAD"],
      ["PUT", "/v1/orders", 405, "GET, HEAD, POST"],
      ["TRACE", "/v1/orders", 405, "GET, HEAD, POST"],
      ["GET", "/v1/orders/p-7f3a/cancel", 405, "POST"],
      ["POST", "/v1/notifications", 405, "GET, HEAD"],
      ["GET", "/v1/notifications/dead-letters/1/replay", 405, "POST"],
      ["DELETE", "/v1/notifications/dead-letters/1", 405, "GET, HEAD"],
      ["POST", "/v1/models", 405, "GET, HEAD"],
      ["GET", "/v1/chat/completions", 405, "POST"],
      ["POST", "/v1/models/lid/unload", 404, null],
      ["POST", "/v1/embeddings/extra", 404, null],
      ["GET", "/v1/orders/", 404, null],
      ["POST", "/v1/orders/", 404, null],
      ["POST", "/v1/orders/p-7f3a/cancel/", 404, null],
      ["TRACE", "/v1/orders/p-7f3a/cancel/", 404, null],
    ];
    for (const [method, path, status, allow] of cases) {
      const res = await all.gateway.request(path, {
        method,
        headers: { ...everything, "content-type": "application/json" },
        body: method === "GET" || method === "TRACE" ? undefined : "{}",
      });
      expect({ method, path, status: res.status, allow: res.headers.get("allow") }).toEqual({ method, path, status, allow });
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      const body = await res.json();
      expect(body).toMatchObject(
        status === 404
          ? { code: "not_found", status, detail: "No route matches this path.", instance: path }
          : { code: "method_not_allowed", status, detail: `${method} is not supported here; use ${allow}.`, instance: path },
      );
    }
    expect(h.upstream.seen.length).toBe(before);
    // Deny by default still authenticates first: without a token the answer is 401, as for any routed path.
    expect((await all.gateway.request("/v1/orders/p-7f3a", { method: "DELETE" })).status).toBe(401);
    expect((await all.gateway.request("/v1/orders/", { method: "GET" })).status).toBe(401);
    const metrics = await (await all.get("/metrics", {}, INSIDE)).text();
    expect(sampleValue(metrics, 'gateway_refused_total{reason="no_route"}')).toBe(6);
    expect(sampleValue(metrics, 'gateway_refused_total{reason="method"}')).toBe(9);
    expect(sampleValue(metrics, 'http_requests_total{method="POST",route="/v1/embeddings/**",status="404"}')).toBe(1);
    expect(sampleValue(metrics, 'http_requests_total{method="GET",route="/v1/chat/completions/**",status="405"}')).toBe(1);
  });

  test("inference's path families share one upstream: one breaker, one rate-limit group, one latency series", async () => {
    const invoke = all.bearer(await all.token({ sub: "carol", scope: "inference:invoke" }));
    for (const path of ["/v1/chat/completions", "/v1/embeddings"])
      expect((await all.gateway.request(path, { method: "POST", headers: invoke, body: "{}" })).status).toBe(200);
    expect((await all.get("/v1/models", invoke)).status).toBe(200);
    expect(all.gateway.routes.filter((r) => r.name === "inference").map((r) => r.prefix)).toEqual(["/v1/models", "/v1/chat/completions", "/v1/embeddings"]);
    const metrics = await (await all.get("/metrics", {}, INSIDE)).text();
    expect(metrics.match(/^gateway_circuit_state\{upstream="inference"\}/gm)?.length).toBe(1);
    expect(sampleValue(metrics, 'gateway_upstream_request_duration_seconds_count{upstream="inference"}')).toBeGreaterThanOrEqual(3);
    expect(sampleValue(metrics, 'http_requests_total{method="POST",route="/v1/chat/completions",status="200"}')).toBeGreaterThanOrEqual(1);
  });

  test("a path that only starts like an inference family is not routed to it", async () => {
    const invoke = all.bearer(await all.token({ sub: "carol", scope: "inference:invoke" }));
    const before = h.upstream.seen.length;
    const res = await all.gateway.request("/v1/chat/completionsX", { method: "POST", headers: invoke, body: "{}" });
    expect(res.status).toBe(404);
    expect(h.upstream.seen.length).toBe(before);
  });
});

describe("an unset INFERENCE_URL routes none of its families", () => {
  test("its paths are the gateway's own 404, without asking for a token", async () => {
    const res = await h.get("/v1/chat/completions");
    expect(res.status).toBe(404);
    expect(res.headers.get("www-authenticate")).toBeNull();
    expect(h.gateway.routes.map((r) => r.prefix)).toEqual(["/v1/orders"]);
  });
});
