// GET /metrics of the gateway: the shared http_* / process_* families plus the gateway's own, valid for promtool, and bounded.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { METRIC_FAMILIES } from "../../deploy/metrics-contract.ts";
import { PROCESS_CLOCK_FAMILIES, type ProcessMetrics, startProcessMetrics } from "../../lib/metrics/process-metrics.ts";
import { sampleValue, seriesOf } from "../../lib/testing/metrics-text.ts";
import { promtoolCheckMetrics } from "../../lib/testing/promtool.ts";
import { freePort } from "../../lib/testing/service-process.ts";
import { generateDevIssuerKeys } from "./dev-issuer/issuer.ts";
import { gatewayHarness, type Harness } from "./testing/harness.ts";

const INSIDE = "10.0.0.9";

describe("gateway /metrics after real traffic", () => {
  let h: Harness;
  let pm: ProcessMetrics;
  beforeAll(async () => {
    // Notifications points at a closed port: its calls fail as "network".
    h = await gatewayHarness({
      env: { RATE_LIMITS: "orders=1/s:3,notifications=100/s:100", UPSTREAM_RETRIES: "0", NOTIFICATIONS_URL: `http://127.0.0.1:${await freePort()}` },
      upstream: (req) => (new URL(req.url).pathname.endsWith("/missing") ? Response.json({}, { status: 404 }) : Response.json({ ok: true })),
    });
    pm = startProcessMetrics(h.gateway.metrics.registry); // as start.ts does
  });
  afterAll(() => {
    pm.stop();
    h.close();
  });

  test("every family is there, auth failures carry their reason, and promtool accepts it", async () => {
    const alice = h.bearer(await h.token({ sub: "alice", scope: "orders:read notifications:read" }));
    const orderId = crypto.randomUUID();
    expect((await h.get(`/v1/orders/${orderId}`, alice)).status).toBe(200);
    expect((await h.get(`/v1/orders/${orderId}/missing`, alice)).status).toBe(404); // no permission rule: refused at the edge
    expect((await h.get("/v1/notifications", alice)).status).toBe(502);
    // Auth failures, one per reason.
    expect((await h.get("/v1/orders")).status).toBe(401);
    expect((await h.get("/v1/orders", { authorization: "Bearer nope" })).status).toBe(401);
    const now = Math.floor(Date.now() / 1000);
    expect(await h.get("/v1/orders", h.bearer(await h.token({ exp: now - 3600, iat: now - 7200 })))).toMatchObject({ status: 401 });
    expect(await h.get("/v1/orders", h.bearer(await h.token({ iss: "https://evil.test" })))).toMatchObject({ status: 401 });
    expect(await h.get("/v1/orders", h.bearer(await h.token({ aud: "api://other" })))).toMatchObject({ status: 401 });
    const forger = await generateDevIssuerKeys("k1"); // the published kid, another key
    expect(await h.get("/v1/orders", h.bearer(await h.token({}, {}, forger)))).toMatchObject({ status: 401 });
    // Forbidden (no scope) and rate-limited (burst 3 per subject).
    expect((await h.get("/v1/orders", h.bearer(await h.token({ sub: "bob", scope: "notifications:read" })))).status).toBe(403);
    const flood = h.bearer(await h.token({ sub: "flood" }));
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await h.get("/v1/orders", flood)).status);
    expect(statuses).toContain(429);
    expect((await h.get("/healthz")).status).toBe(200);

    const res = await h.get("/metrics", {}, INSIDE);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const text = await res.text();
    for (const name of [
      ...METRIC_FAMILIES.gateway,
      ...PROCESS_CLOCK_FAMILIES,
      "gateway_rate_limit_buckets",
      "gateway_jwks_fetches_total",
      "gateway_jwks_keys",
      "gateway_verified_tokens_cached",
      "gateway_internal_tokens_cached",
    ])
      expect(text).toContain(`# TYPE ${name} `);
    expect(sampleValue(text, 'http_requests_total{method="GET",route="/v1/orders/*",status="200"}')).toBe(1);
    expect(sampleValue(text, 'http_requests_total{method="GET",route="/v1/orders/**",status="401"}')).toBe(6);
    expect(sampleValue(text, 'http_requests_total{method="GET",route="/v1/orders/**",status="404"}')).toBe(1);
    expect(sampleValue(text, 'http_requests_total{method="GET",route="/healthz",status="200"}')).toBe(1);
    expect(sampleValue(text, "http_requests_in_flight")).toBe(1); // the scrape itself
    for (const reason of ["missing", "malformed", "expired", "wrong_issuer", "wrong_audience", "bad_signature"])
      expect(sampleValue(text, `gateway_auth_failures_total{reason="${reason}"}`)).toBe(1);
    expect(sampleValue(text, 'gateway_auth_failures_total{reason="unknown_kid"}')).toBe(0);
    expect(sampleValue(text, 'gateway_refused_total{reason="unauthorized"}')).toBe(6);
    expect(sampleValue(text, 'gateway_refused_total{reason="forbidden"}')).toBe(1);
    expect(sampleValue(text, 'gateway_refused_total{reason="no_route"}')).toBe(1);
    expect(sampleValue(text, 'gateway_rate_limited_total{group="orders"}')).toBe(statuses.filter((s) => s === 429).length);
    expect(sampleValue(text, 'gateway_upstream_request_duration_seconds_count{upstream="orders"}')).toBe(1 + statuses.filter((s) => s === 200).length);
    expect(sampleValue(text, 'gateway_upstream_failures_total{upstream="notifications",kind="network"}')).toBe(1);
    expect(sampleValue(text, 'gateway_circuit_state{upstream="orders"}')).toBe(0);
    expect(sampleValue(text, 'gateway_circuit_opens_total{upstream="orders"}')).toBe(0);
    expect(text).not.toContain(orderId);
    expect(text).not.toContain("alice");
    expect(await promtoolCheckMetrics(text)).toEqual({ ok: true, output: "" });
  });
});

describe("gateway /metrics stays bounded", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await gatewayHarness({
      env: { RATE_LIMITS: "orders=100000/s:100000" },
      upstream: (req) => (new URL(req.url).pathname.endsWith("0") ? Response.json({ ok: true }) : Response.json({}, { status: 404 })),
    });
  });
  afterAll(() => h.close());
  const scrape = async () => (await h.get("/metrics", {}, INSIDE)).text();

  test("1,000 requests for 1,000 different order ids add no series", async () => {
    const auth = h.bearer(await h.token({ sub: "bob" }));
    // Warm up every (route, status) the loop produces, so "before" already holds their series.
    expect((await h.get(`/v1/orders/${crypto.randomUUID()}0`, auth)).status).toBe(200);
    expect((await h.get(`/v1/orders/${crypto.randomUUID()}1`, auth)).status).toBe(404);
    await scrape();
    const before = seriesOf(await scrape()).length;
    for (let i = 0; i < 1000; i++) {
      const id = `${crypto.randomUUID()}${i % 10}`;
      expect((await h.get(`/v1/orders/${id}`, auth)).status).toBe(i % 10 === 0 ? 200 : 404);
    }
    const text = await scrape();
    expect(seriesOf(text).length).toBe(before);
    expect(sampleValue(text, 'http_requests_total{method="GET",route="/v1/orders/*",status="404"}')).toBe(901);
    expect(sampleValue(text, 'http_requests_total{method="GET",route="/v1/orders/*",status="200"}')).toBe(101);
  }, 60_000);
});
