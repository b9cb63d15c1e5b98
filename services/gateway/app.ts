// createApp(deps): the gateway, pure (no I/O of its own). Routed paths take the lean proxy path; the rest is a small Hono app.
import type { JSONWebKeySet } from "jose";
import type { Health } from "../../lib/health/health.ts";
import { registerHealthRoutes } from "../../lib/health/routes.ts";
import { createServiceApp } from "../../lib/http/create-app.ts";
import { registerDocumentRoutes } from "../../lib/http/docs.ts";
import { problemResponse } from "../../lib/http/problem.ts";
import { applySecurityHeaders } from "../../lib/http/proxy/security-headers.ts";
import type { Logger } from "../../lib/logging/logger.ts";
import type { RequestLineWriter } from "../../lib/logging/request-line.ts";
import { CONTENT_TYPE } from "../../lib/metrics/exposition.ts";
import type { Tracing } from "../../lib/telemetry/tracer.ts";
import type { InternalTokenCache } from "./auth/internal-tokens.ts";
import type { UserTokenVerifier } from "./auth/user-token.ts";
import { type OpenApiDocument, routedOnly } from "./contract/merge.ts";
import type { GatewayMetrics } from "./metrics.ts";
import { createCors } from "./proxy/cors.ts";
import { OpenStreams } from "./proxy/event-stream-relay.ts";
import { createProxyHandler } from "./proxy/handler.ts";
import { ALL_PREFIXES, matchRoute, type UpstreamRoute } from "./proxy/routes.ts";
import type { ClientIpResolver } from "./ratelimit/client-ip.ts";
import type { RateLimiter } from "./ratelimit/limiter.ts";
import { rateLimitHeader } from "./ratelimit/policies.ts";

export interface GatewayDeps {
  log: Logger;
  /** Fast writer of the per-request line (main.ts passes one on the log sink); log.info otherwise. */
  accessLog?: RequestLineWriter;
  health: Health;
  /** Built on `metrics`: each route and permission rule already holds its series. */
  routes: readonly UpstreamRoute[];
  /** The gateway's metric families (start.ts adds the process metrics to its registry). */
  metrics: GatewayMetrics;
  verifier: UserTokenVerifier;
  internalTokens: InternalTokenCache;
  /** Limits the gateway's own public pages (contract, docs, dev JWKS) per client IP. */
  publicLimiter: RateLimiter;
  clientIp: ClientIpResolver;
  /** Whether a client address may read /metrics (the gateway is public; its internals are not). */
  metricsAllowed: (clientIp: string) => boolean;
  corsOrigins: readonly string[];
  bodyLimitBytes: number;
  headerLimitBytes: number;
  maxTokenBytes: number;
  /** The merged contract (openapi/gateway.json); served without the services that are not routed. */
  contract: OpenApiDocument;
  /** Set when the dev issuer runs: its public keys, served at /dev/jwks.json. */
  devJwks?: JSONWebKeySet;
  /** Server spans (proxied requests and the gateway's own pages) when on (default: off). */
  tracing?: Tracing;
}

export interface Gateway {
  /** The request handler; `peer` is the direct client's address (from the listener). */
  fetch(req: Request, peer?: string): Promise<Response>;
  /** Test convenience in the manner of Hono's app.request: a path (or URL) and init. */
  request(input: string, init?: RequestInit, peer?: string): Promise<Response>;
  readonly routes: readonly UpstreamRoute[];
  /** Its registry (start.ts adds the process metrics) and the series the proxy records in. */
  readonly metrics: GatewayMetrics;
  /** The event streams being relayed: the shutdown ends those that would outlive it (start.ts). */
  readonly streams: OpenStreams;
}

type OwnEnv = { Bindings: { peer?: string } };

export function createApp(deps: GatewayDeps): Gateway {
  const { routes, metrics } = deps;
  const cors = createCors(deps.corsOrigins);
  const streams = new OpenStreams();
  const proxy = createProxyHandler({ ...deps, cors, streams });

  const own = createServiceApp({
    log: deps.log,
    bodyLimitBytes: 64 * 1024,
    metrics: { registry: metrics.registry, families: metrics.http },
    tracing: deps.tracing,
  });
  registerHealthRoutes(own, deps.health);
  // The gateway's own public pages are limited per client IP (they need no token).
  const limitPublic = async (c: { req: { raw: Request }; env: unknown; get: (k: "requestId") => string }, next: () => Promise<void>) => {
    const ip = deps.clientIp((c.env as OwnEnv["Bindings"] | undefined)?.peer, c.req.raw.headers.get("x-forwarded-for"));
    let left = deps.publicLimiter.take(ip);
    if (typeof left !== "number") left = await left;
    const policy = deps.publicLimiter.policy;
    if (left < 0) {
      metrics.publicRateLimited.inc();
      return problemResponse("rate_limited", {
        detail: "Too many requests; retry after the indicated time.",
        headers: {
          "retry-after": String(Math.max(1, Math.ceil(-left / 1000))),
          "ratelimit-policy": policy.policyHeader,
          ratelimit: rateLimitHeader(policy, 0),
        },
        requestId: c.get("requestId"),
      });
    }
    await next();
  };
  for (const path of ["/openapi.json", "/docs", "/docs/*", "/dev/*"]) own.use(path, limitPublic as never);
  const prefixes = routes.map((r) => r.prefix);
  registerDocumentRoutes(own, () => routedOnly(deps.contract, prefixes, ALL_PREFIXES), "Platform API");
  own.get("/metrics", (c) => {
    const ip = deps.clientIp((c.env as OwnEnv["Bindings"] | undefined)?.peer, c.req.raw.headers.get("x-forwarded-for"));
    if (!deps.metricsAllowed(ip))
      return problemResponse("not_found", { detail: "No route matches this path.", requestId: c.get("requestId"), instance: c.req.path });
    return c.body(metrics.registry.render(), 200, { "content-type": CONTENT_TYPE });
  });
  const devJwks = deps.devJwks && JSON.stringify(deps.devJwks);
  if (devJwks) own.get("/dev/jwks.json", (c) => c.body(devJwks, 200, { "content-type": "application/jwk-set+json" }));

  const serveOwn = async (req: Request, path: string, peer: string | undefined): Promise<Response> => {
    const res = await own.fetch(req, { peer });
    applySecurityHeaders(res.headers, path === "/docs");
    cors.apply(res.headers, req.headers.get("origin"));
    return res;
  };

  const gateway: Gateway = {
    routes,
    metrics,
    streams,
    fetch(req, peer) {
      // Cut the path out of the absolute URL by hand: cheaper than new URL() on every request.
      const url = req.url;
      const start = url.indexOf("/", url.indexOf("//") + 2);
      const query = url.indexOf("?", start);
      const path = query === -1 ? url.slice(start) : url.slice(start, query);
      const route = matchRoute(routes, path);
      if (route !== undefined) return proxy(req, route, path, url.slice(start), peer);
      return serveOwn(req, path, peer);
    },
    request(input, init, peer) {
      return gateway.fetch(new Request(input.startsWith("http") ? input : `http://gateway.test${input}`, init), peer);
    },
  };
  return gateway;
}
