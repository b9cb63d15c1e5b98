// createApp(deps) is pure: it binds nothing onto what it is given; routes arrive holding the series they record in.
import { describe, expect, test } from "bun:test";
import { createHealth } from "../../lib/health/health.ts";
import { createCircuitBreaker } from "../../lib/http/client/circuit-breaker.ts";
import { silentLogger } from "../../lib/logging/logger.ts";
import { createRegistry } from "../../lib/metrics/registry.ts";
import { sampleValue } from "../../lib/testing/metrics-text.ts";
import { createApp } from "./app.ts";
import { routePermissions } from "./auth/route-permissions.ts";
import { gatewayDocument } from "./contract/document.ts";
import { createGatewayMetrics } from "./metrics.ts";
import { createRoute } from "./proxy/routes.ts";
import { createClientIpResolver } from "./ratelimit/client-ip.ts";
import { ratePolicy } from "./ratelimit/policies.ts";
import { createMemoryRateLimiter } from "./ratelimit/token-bucket.ts";

/** Freezes the route and everything it holds except the series themselves (counting is their job). */
function freezeRoute<T extends { rules: readonly object[]; metrics: object }>(route: T): T {
  for (const rule of route.rules) Object.freeze(rule);
  Object.freeze(route.rules);
  Object.freeze(route.metrics);
  return Object.freeze(route);
}

describe("createApp", () => {
  test("takes frozen routes and metrics, and requests record in the series the routes were built with", async () => {
    const metrics = Object.freeze(createGatewayMetrics(createRegistry()));
    const limiter = createMemoryRateLimiter(ratePolicy("orders", 10, 20));
    const breaker = createCircuitBreaker({ name: "orders" });
    const upstream = metrics.upstream("orders", { breaker, limiter });
    // Never called: the requests below are refused at the edge before anything is sent.
    const client = { breaker } as never;
    const routes = Object.freeze([
      freezeRoute(createRoute({ name: "orders", prefix: "/v1/orders", rules: routePermissions().orders, client, limiter, upstream, series: metrics.route })),
    ]);
    const deps = Object.freeze({
      log: silentLogger,
      health: createHealth(),
      routes,
      metrics,
      verifier: {} as never,
      internalTokens: {} as never,
      publicLimiter: createMemoryRateLimiter(ratePolicy("public", 10, 20)),
      clientIp: createClientIpResolver([]),
      metricsAllowed: () => true,
      corsOrigins: [],
      bodyLimitBytes: 1024,
      headerLimitBytes: 8192,
      maxTokenBytes: 8192,
      contract: gatewayDocument({}),
    });
    const gateway = createApp(deps);
    expect(gateway.routes).toBe(routes);
    expect(gateway.metrics).toBe(metrics);

    expect((await gateway.request("/v1/orders")).status).toBe(401);
    expect((await gateway.request("/v1/orders/o-1", { method: "DELETE" })).status).toBe(401);
    const text = metrics.registry.render();
    expect(sampleValue(text, 'http_requests_total{method="GET",route="/v1/orders/**",status="401"}')).toBe(1);
    expect(sampleValue(text, 'http_requests_total{method="DELETE",route="/v1/orders/**",status="401"}')).toBe(1);
    expect(sampleValue(text, 'gateway_circuit_state{upstream="orders"}')).toBe(0);
  });

  test("an upstream registered twice is a wiring mistake, refused", () => {
    const metrics = createGatewayMetrics(createRegistry());
    const sampled = { breaker: createCircuitBreaker({ name: "orders" }), limiter: { size: () => 0 } };
    metrics.upstream("orders", sampled);
    expect(() => metrics.upstream("orders", sampled)).toThrow("upstream orders is registered twice");
  });
});
