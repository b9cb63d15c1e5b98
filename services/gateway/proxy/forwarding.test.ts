// What crosses the edge: identity smuggling is stripped, hop-by-hop fields dropped, ids and trace context forwarded, banners removed.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createInternalTokenMinter } from "../../../lib/auth/internal-token.ts";
import { gatewayHarness, type Harness } from "../testing/harness.ts";

let h: Harness;
beforeAll(async () => {
  h = await gatewayHarness({ env: { CORS_ORIGINS: "https://app.example.com" } });
});
afterAll(() => h.close());
const last = () => {
  const r = h.upstream.seen.at(-1);
  if (!r) throw new Error("the upstream saw no request");
  return r;
};

describe("identity smuggling", () => {
  test("client-sent internal tokens and identity headers never reach the service; the gateway's token does", async () => {
    const mintInternal = await createInternalTokenMinter(h.internal.privateJwk);
    const smuggled = await mintInternal({ audience: "orders", subject: "admin", scopes: ["orders:admin"] });
    const res = await h.get("/v1/orders", {
      ...h.bearer(await h.token({ sub: "alice", scope: "orders:read notifications:read" })),
      "x-internal-token": smuggled,
      "x-internal-auth": `Bearer ${smuggled}`,
      "x-user-id": "admin",
      "x-user": "admin",
      "x-forwarded-user": "admin",
      "x-remote-user": "admin",
      "remote-user": "admin",
      "x-auth-request-user": "admin",
      "x-authenticated-userid": "admin",
      "x-principal": "admin",
      "x-subject": "admin",
      "x-scopes": "orders:admin",
      "x-customer-id": "victim",
      "x-api-key": "k",
      cookie: "session=admin",
      "proxy-authorization": "Basic YWRtaW46YWRtaW4=",
    });
    expect(res.status).toBe(200);
    const seen = last();
    const names = Object.keys(seen.headers);
    for (const n of names)
      expect(n).not.toMatch(
        /^(x-internal|x-user|x-forwarded-user|x-remote|remote-user|x-auth|x-principal|x-subject|x-scopes|x-customer|x-api-key|cookie|proxy-authorization)/,
      );
    expect(JSON.stringify(seen.headers)).not.toContain(smuggled);
    expect(JSON.stringify(seen.headers)).not.toContain("admin");
    const auth = seen.headers.authorization ?? "";
    expect(auth).toStartWith("Bearer ");
    const principal = await h.verifyInternal(auth.slice(7));
    expect(principal.subject).toBe("alice");
    expect([...principal.scopes]).toEqual(["orders:read"]); // only the scopes orders needs
  });

  test("an internal token sent as the user token is refused at the edge", async () => {
    const mintInternal = await createInternalTokenMinter(h.internal.privateJwk);
    const before = h.upstream.seen.length;
    const res = await h.get("/v1/orders", h.bearer(await mintInternal({ audience: "orders", subject: "admin", scopes: ["orders:admin"] })));
    expect(res.status).toBe(401);
    expect(h.upstream.seen.length).toBe(before);
  });

  test("minted internal tokens are reused per (subject, service, scopes) and differ between subjects", async () => {
    await h.get("/v1/orders", h.bearer(await h.token({ sub: "carol" })));
    const first = last().headers.authorization;
    await h.get("/v1/orders", h.bearer(await h.token({ sub: "carol", jti: "another-token" })));
    expect(last().headers.authorization).toBe(first);
    await h.get("/v1/orders", h.bearer(await h.token({ sub: "dave" })));
    expect(last().headers.authorization).not.toBe(first);
  });
});

describe("forwarded and dropped request headers", () => {
  test("hop-by-hop fields and the fields Connection names are dropped; end-to-end ones pass", async () => {
    await h.get("/v1/orders?limit=5&status=placed", {
      ...h.bearer(await h.token()),
      connection: "keep-alive, x-hop-secret",
      "x-hop-secret": "1",
      te: "trailers",
      "keep-alive": "timeout=5",
      "proxy-connection": "keep-alive",
      accept: "application/json",
      "accept-language": "de",
      "idempotency-key": "abc",
    });
    const seen = last();
    expect(new URL(seen.url).search).toBe("?limit=5&status=placed");
    for (const n of ["x-hop-secret", "te", "keep-alive", "proxy-connection"]) expect(seen.headers[n]).toBeUndefined();
    expect(seen.headers.accept).toBe("application/json");
    expect(seen.headers["accept-language"]).toBe("de");
    expect(seen.headers["idempotency-key"]).toBe("abc");
    expect(seen.headers.via).toBe("1.1 gateway");
  });

  test("X-Request-ID and traceparent are forwarded (new span, same trace) and echoed", async () => {
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const res = await h.get("/v1/orders", {
      ...h.bearer(await h.token()),
      "x-request-id": "req-123",
      traceparent: `00-${traceId}-00f067aa0ba902b7-01`,
      tracestate: "vendor=1",
    });
    expect(res.headers.get("x-request-id")).toBe("req-123");
    const seen = last();
    expect(seen.headers["x-request-id"]).toBe("req-123");
    expect(seen.headers.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    expect(seen.headers.traceparent).not.toContain("00f067aa0ba902b7");
    expect(seen.headers.tracestate).toBe("vendor=1");
    // without them, both are created
    const fresh = await h.get("/v1/orders", h.bearer(await h.token()));
    expect(fresh.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(last().headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
  });

  test("a spoofed X-Forwarded-For from an untrusted peer is replaced by the peer's address", async () => {
    await h.get("/v1/orders", { ...h.bearer(await h.token()), "x-forwarded-for": "1.2.3.4", "x-real-ip": "1.2.3.4", forwarded: "for=1.2.3.4" }, "198.51.100.9");
    const seen = last();
    expect(seen.headers["x-forwarded-for"]).toBe("198.51.100.9");
    expect(seen.headers["x-real-ip"]).toBeUndefined();
    expect(seen.headers.forwarded).toBeUndefined();
  });

  test("a header section over the limit → 431 problem, nothing forwarded", async () => {
    const before = h.upstream.seen.length;
    const res = await h.get("/v1/orders", { ...h.bearer(await h.token()), "x-big": "a".repeat(13_000) });
    expect(res.status).toBe(431);
    expect((await res.json()).code).toBe("request_header_too_large");
    expect(h.upstream.seen.length).toBe(before);
  });
});

describe("responses", () => {
  test("banners and hop-by-hop fields are removed; security headers, request id and rate-limit fields added", async () => {
    h.upstream.set(
      () =>
        new Response('{"ok":true}', {
          status: 201,
          headers: {
            "content-type": "application/json",
            server: "orders/1.0",
            "x-powered-by": "Hono",
            "x-internal-debug": "1",
            "keep-alive": "timeout=5",
            location: "/v1/orders/1",
          },
        }),
    );
    const res = await h.get("/v1/orders", h.bearer(await h.token()));
    h.upstream.set(() => Response.json({ ok: true }));
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ ok: true });
    for (const n of ["server", "x-powered-by", "x-internal-debug", "keep-alive"]) expect(res.headers.get(n)).toBeNull();
    expect(res.headers.get("location")).toBe("/v1/orders/1");
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.headers.get("ratelimit-policy")).toBe('"orders";q=100;w=2');
    expect(res.headers.get("ratelimit")).toMatch(/^"orders";r=\d+;t=\d+$/);
  });

  test("/metrics answers private networks only; to the public it does not exist", async () => {
    expect((await h.get("/metrics", {}, "203.0.113.7")).status).toBe(404);
    const inside = await h.get("/metrics", {}, "10.0.0.9");
    expect(inside.status).toBe(200);
    expect(await inside.text()).toContain('gateway_circuit_state{upstream="orders"} 0');
  });

  test("the gateway's own answers carry the security headers too, and no framework banner", async () => {
    for (const path of ["/healthz", "/nope", "/openapi.json"]) {
      const res = await h.get(path);
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("x-request-id")).toBeString();
      expect(res.headers.get("server")).toBeNull();
      expect(res.headers.get("x-powered-by")).toBeNull();
    }
  });
});

describe("CORS", () => {
  test("an allowed origin gets the allow and expose headers; others get none", async () => {
    const ok = await h.get("/v1/orders", { ...h.bearer(await h.token()), origin: "https://app.example.com" });
    expect(ok.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
    expect(ok.headers.get("access-control-expose-headers")).toContain("x-request-id");
    expect(ok.headers.get("vary")).toContain("Origin");
    const other = await h.get("/v1/orders", { ...h.bearer(await h.token()), origin: "https://evil.example.com" });
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
    const denied = await h.get("/v1/orders", { origin: "https://app.example.com" });
    expect(denied.status).toBe(401);
    expect(denied.headers.get("access-control-allow-origin")).toBe("https://app.example.com"); // so the browser can read the 401
  });

  test("preflight is answered at the edge without a token or an upstream call", async () => {
    const before = h.upstream.seen.length;
    const pre = (origin: string) =>
      h.gateway.request("/v1/orders", {
        method: "OPTIONS",
        headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "authorization, content-type" },
      });
    const ok = await pre("https://app.example.com");
    expect(ok.status).toBe(204);
    expect(ok.headers.get("access-control-allow-methods")).toContain("POST");
    expect(ok.headers.get("access-control-allow-headers")).toContain("authorization");
    const no = await pre("https://evil.example.com");
    expect(no.headers.get("access-control-allow-origin")).toBeNull();
    expect(no.headers.get("access-control-allow-headers")).toBeNull();
    expect(h.upstream.seen.length).toBe(before);
  });

  test("preflight allows the headers an allowed origin asks for (OpenAI's SDK sends x-stainless-*); not a header list → the platform's own", async () => {
    const pre = (requested: string) =>
      h.gateway.request("/v1/orders", {
        method: "OPTIONS",
        headers: { origin: "https://app.example.com", "access-control-request-method": "POST", "access-control-request-headers": requested },
      });
    const sdk = "authorization,content-type,x-stainless-arch,x-stainless-lang,x-stainless-os,x-stainless-package-version,x-stainless-retry-count";
    const asked = await pre(sdk);
    expect(asked.status).toBe(204);
    expect(asked.headers.get("access-control-allow-headers")).toBe(sdk);
    expect(asked.headers.get("vary")).toContain("Access-Control-Request-Headers");
    for (const odd of ["x-a, <script>", "a b", "x".repeat(3000)]) {
      const res = await pre(odd);
      expect(res.headers.get("access-control-allow-headers")).toBe("authorization, content-type, idempotency-key, x-request-id, traceparent, tracestate");
    }
  });
});
