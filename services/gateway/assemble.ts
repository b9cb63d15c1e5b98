// Builds the gateway's dependencies from its parsed config: issuer (discovered if so configured), JWKS cache, verifiers, limiters, routes, clients.
import type { KV } from "@nats-io/kv";
import { createInternalTokenMinter } from "../../lib/auth/internal-token.ts";
import { createHealth, type Health } from "../../lib/health/health.ts";
import { createCircuitBreaker } from "../../lib/http/client/circuit-breaker.ts";
import { createUpstreamClient, type FetchLike } from "../../lib/http/client/upstream-client.ts";
import { cidrContains, parseIp } from "../../lib/http/ip-address.ts";
import type { Logger, LogSink } from "../../lib/logging/logger.ts";
import { createRequestLineWriter } from "../../lib/logging/request-line.ts";
import { createRegistry } from "../../lib/metrics/registry.ts";
import type { Tracing } from "../../lib/telemetry/tracer.ts";
import { createApp, type Gateway } from "./app.ts";
import { createInternalTokenCache } from "./auth/internal-tokens.ts";
import { createJwksCache, type JwksCache } from "./auth/jwks-cache.ts";
import { routePermissions } from "./auth/route-permissions.ts";
import { resolveTokenIssuer } from "./auth/token-issuer.ts";
import { createUserTokenVerifier } from "./auth/user-token.ts";
import type { GatewayConfig } from "./config.ts";
import type { OpenApiDocument } from "./contract/merge.ts";
import { type DevIssuerKeys, devJwksFetch } from "./dev-issuer/issuer.ts";
import { createGatewayMetrics } from "./metrics.ts";
import { createRoute, SERVICES, type UpstreamRoute } from "./proxy/routes.ts";
import { createClientIpResolver } from "./ratelimit/client-ip.ts";
import type { RateLimiter } from "./ratelimit/limiter.ts";
import { createNatsKvRateLimiter } from "./ratelimit/nats-kv-limiter.ts";
import { ratePolicy } from "./ratelimit/policies.ts";
import { createMemoryRateLimiter } from "./ratelimit/token-bucket.ts";

export interface AssembleInput {
  cfg: GatewayConfig;
  log: Logger;
  /** The sink behind `log`: access lines are written to it directly (when LOG_LEVEL lets info through). */
  logSink?: LogSink;
  contract: OpenApiDocument;
  /** The dev issuer's keys, when cfg.DEV_ISSUER is on. */
  devIssuer?: DevIssuerKeys;
  /** The shared rate-limit bucket, when cfg.RATE_LIMIT_STORE is nats. */
  kv?: KV;
  /** Outbound fetch for upstreams, OIDC discovery and the JWKS (tests may wrap it to count calls). */
  fetch?: FetchLike;
  now?: () => number;
  /** Server and upstream client spans when on (default: off). */
  tracing?: Tracing;
}

export interface AssembledGateway {
  gateway: Gateway;
  health: Health;
  jwks: JwksCache;
}

export async function assembleGateway(input: AssembleInput): Promise<AssembledGateway> {
  const { cfg, log } = input;
  if (cfg.DEV_ISSUER && !input.devIssuer) throw new Error("DEV_ISSUER is on but no dev issuer keys were given");
  const now = input.now ?? Date.now;
  // OIDC_ISSUER_URL: the discovery document is read here, once; a wrong or unreachable issuer stops the start.
  const { issuer, audience, jwksUrl, algorithms } = await resolveTokenIssuer(cfg, { log, fetch: input.fetch });

  const jwks = createJwksCache({
    url: jwksUrl,
    issuer,
    fetch: input.devIssuer ? devJwksFetch(input.devIssuer.jwks) : input.fetch,
    maxAgeMs: cfg.JWKS_CACHE_MAX_AGE_MS,
    cooldownMs: cfg.JWKS_COOLDOWN_MS,
    timeoutMs: cfg.JWKS_TIMEOUT_MS,
    log,
    now,
  });
  const verifier = createUserTokenVerifier({
    jwks,
    issuer,
    audience,
    algorithms,
    clockToleranceSeconds: cfg.JWT_CLOCK_TOLERANCE_SECONDS,
    maxTokenBytes: cfg.JWT_MAX_BYTES,
    now,
  });
  const internalTokens = createInternalTokenCache({ mint: await createInternalTokenMinter(cfg.INTERNAL_AUTH_PRIVATE_JWK), now });

  const limiter = (group: string): RateLimiter => {
    const policy = cfg.RATE_LIMITS[group] ?? ratePolicy(group, 10, 20);
    const memory = createMemoryRateLimiter(policy, { maxBuckets: cfg.RATE_LIMIT_MAX_BUCKETS, now });
    return input.kv ? createNatsKvRateLimiter(policy, { kv: input.kv, fallback: memory, log, now }) : memory;
  };

  // Metrics first: each route and permission rule is built holding its series (the proxy records without label lookups).
  const metrics = createGatewayMetrics(createRegistry(), () => {
    const s = jwks.stats();
    return {
      gateway_jwks_fetches_total: s.fetches,
      gateway_jwks_fetch_failures_total: s.failures,
      gateway_jwks_keys: s.keys,
      gateway_verified_tokens_cached: verifier.size(),
      gateway_internal_tokens_cached: internalTokens.size(),
    };
  });
  // Derived from the checked-in contracts; a contract the edge cannot guard stops the start here.
  const permissions = routePermissions();
  const routes: UpstreamRoute[] = [];
  for (const svc of SERVICES) {
    const baseUrl = cfg[svc.urlVar];
    if (!baseUrl) continue;
    const breaker = createCircuitBreaker({
      name: svc.name,
      failureThreshold: cfg.BREAKER_FAILURE_THRESHOLD,
      openMs: cfg.BREAKER_OPEN_MS,
      now,
      onStateChange: ({ name, from, to }) => log[to === "open" ? "warn" : "info"]("circuit state changed", { upstream: name, from, to }),
    });
    const client = createUpstreamClient({
      name: svc.name,
      baseUrl,
      responseTimeoutMs: cfg.UPSTREAM_TIMEOUTS[svc.name] ?? cfg.UPSTREAM_TIMEOUT_MS,
      connectTimeoutMs: cfg.UPSTREAM_CONNECT_TIMEOUTS[svc.name] ?? cfg.UPSTREAM_CONNECT_TIMEOUT_MS,
      maxRetries: cfg.UPSTREAM_RETRIES,
      breaker,
      fetch: input.fetch,
      tracing: input.tracing,
    });
    const upstreamLimiter = limiter(svc.name);
    const upstream = metrics.upstream(svc.name, { breaker, limiter: upstreamLimiter });
    for (const prefix of svc.prefixes) {
      routes.push(createRoute({ name: svc.name, prefix, rules: permissions[svc.name], client, limiter: upstreamLimiter, upstream, series: metrics.route }));
    }
  }

  // Ready once the issuer's keys are loaded; upstream health is the breakers' business, not the probe's.
  const health = createHealth(cfg.DEV_ISSUER ? {} : { jwks: () => jwks.ensureLoaded() });
  const gateway = createApp({
    log,
    accessLog: input.logSink && log.enabled("info") ? createRequestLineWriter("gateway", input.logSink) : undefined,
    health,
    routes,
    metrics,
    verifier,
    internalTokens,
    publicLimiter: limiter("public"),
    clientIp: createClientIpResolver(cfg.TRUSTED_PROXIES),
    metricsAllowed: (ip) => {
      const addr = parseIp(ip);
      return addr !== undefined && cfg.METRICS_ALLOWED_CIDRS.some((c) => cidrContains(c, addr));
    },
    corsOrigins: cfg.CORS_ORIGINS,
    bodyLimitBytes: cfg.BODY_LIMIT_BYTES,
    headerLimitBytes: cfg.HEADER_LIMIT_BYTES,
    maxTokenBytes: cfg.JWT_MAX_BYTES,
    contract: input.contract,
    devJwks: input.devIssuer?.jwks,
    tracing: input.tracing,
  });
  return { gateway, health, jwks };
}
