// Gateway metrics on the shared registry: HTTP and process families like every service, plus auth, rate limits, upstreams and caches.
import { type CircuitBreaker, circuitStateValue } from "../../lib/http/client/circuit-breaker.ts";
import type { UpstreamFailureKind } from "../../lib/http/client/upstream-client.ts";
import { createHttpMetricFamilies, HTTP_METHODS, type HttpMetricFamilies, type RouteSeries } from "../../lib/metrics/http-metrics.ts";
import type { CounterSeries, GaugeSeries, HistogramSeries, Registry } from "../../lib/metrics/registry.ts";
import { AUTH_FAILURE_REASONS, type AuthFailureReason } from "./auth/user-token.ts";

/** Why a request was answered at the edge (gateway_refused_total's `reason`); a closed set, checked by the compiler. */
export const REFUSAL_REASONS = [
  "unauthorized",
  "keys_unavailable",
  "forbidden",
  "rate_limited",
  "no_route",
  "bad_path",
  "method",
  "header_too_large",
  "too_large",
  "bad_length",
] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

const UPSTREAM_FAILURE_KINDS: readonly UpstreamFailureKind[] = ["circuit_open", "timeout", "network", "aborted"];

/**
 * http_request_duration_seconds at the edge: token checks and rate limits take microseconds, a proxied call adds the
 * service's own time (ms), inference can take tens of seconds.
 */
export const GATEWAY_DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] as const;
/** Time to an upstream's response headers: the service's latency plus the hop. */
export const UPSTREAM_DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] as const;

/** The http_* series of one route template, per method; known methods are cached, so a request costs one property read. */
export type MethodSeries = (method: string) => RouteSeries;

/** What the proxy records per upstream service, shared by the service's prefixes. */
export interface UpstreamMetrics {
  rateLimited: CounterSeries;
  upstreamDuration: HistogramSeries;
  failures: Record<UpstreamFailureKind, CounterSeries>;
}

/** What the proxy records per upstream route, bound when the route is built (no label lookups per request). */
export interface RouteMetrics extends UpstreamMetrics {
  /** http_* series for requests refused before their permission rule was found (label: the route prefix + "/**"). */
  unresolved: MethodSeries;
}

/** What is read from an upstream at scrape time: its breaker's state and opens, its limiter's bucket count. */
export interface SampledUpstream {
  breaker: Pick<CircuitBreaker, "state" | "snapshot">;
  limiter: { size(): number };
}

export interface GatewayMetrics {
  registry: Registry;
  http: HttpMetricFamilies;
  refused: Record<RefusalReason, CounterSeries>;
  authFailures: Record<AuthFailureReason, CounterSeries>;
  /** gateway_rate_limited_total{group="public"}: the gateway's own pages. */
  publicRateLimited: CounterSeries;
  /** The http_* series of one route template (a permission rule's path, or a prefix + "/**"). */
  route(template: string): MethodSeries;
  /** Registers an upstream service (once per name): its series, and its breaker and limiter sampled at scrape time. */
  upstream(name: string, sampled: SampledUpstream): UpstreamMetrics;
}

export function methodSeries(http: HttpMetricFamilies, template: string): MethodSeries {
  const known: Record<string, RouteSeries> = Object.create(null);
  // Only the seven known methods are cached: any other goes through http.route (labelled "other"), never growing this.
  return (method) => {
    const hit = known[method];
    if (hit !== undefined) return hit;
    const s = http.route(method, template);
    if (HTTP_METHODS.has(method)) known[method] = s;
    return s;
  };
}

const byName = <K extends string, S>(names: readonly K[], make: (name: K) => S) => Object.fromEntries(names.map((n) => [n, make(n)])) as Record<K, S>;

/**
 * Registers the gateway's families in `registry`; routes and permission rules then take their series from it when they
 * are built. `gauges` are extra values read at scrape time (JWKS and token caches); names ending in _total are counters.
 */
export function createGatewayMetrics(registry: Registry, gauges: () => Record<string, number> = () => ({})): GatewayMetrics {
  const http = createHttpMetricFamilies(registry, GATEWAY_DURATION_BUCKETS);
  const refusedFamily = registry.counter({
    name: "gateway_refused_total",
    help: "Requests answered at the edge without reaching a service, by reason",
    labelNames: ["reason"],
  });
  const authFamily = registry.counter({
    name: "gateway_auth_failures_total",
    help: "User tokens not accepted, by reason (missing, malformed, expired, bad_signature, wrong_issuer, …)",
    labelNames: ["reason"],
  });
  const rateLimited = registry.counter({
    name: "gateway_rate_limited_total",
    help: "Requests refused by a rate limit (429), by route group",
    labelNames: ["group"],
  });
  const upstreamDuration = registry.histogram({
    name: "gateway_upstream_request_duration_seconds",
    help: "Time from sending a request upstream to its response headers (retries included), by upstream",
    labelNames: ["upstream"],
    buckets: UPSTREAM_DURATION_BUCKETS,
  });
  const failures = registry.counter({
    name: "gateway_upstream_failures_total",
    help: "Upstream calls without a usable response, by upstream and kind (circuit_open, timeout, network, aborted)",
    labelNames: ["upstream", "kind"],
  });
  // Read from each upstream's breaker and limiter at scrape time; filled by upstream() below.
  const sampled = new Map<string, { u: SampledUpstream; state: GaugeSeries; opens: CounterSeries; buckets: GaugeSeries }>();
  const circuitState = registry.gauge({
    name: "gateway_circuit_state",
    help: "Circuit breaker state per upstream: 0 closed, 1 half-open, 2 open",
    labelNames: ["upstream"],
    collect: () => {
      for (const x of sampled.values()) x.state.set(circuitStateValue(x.u.breaker.state()));
    },
  });
  const opens = registry.counter({
    name: "gateway_circuit_opens_total",
    help: "Times each upstream's circuit opened",
    labelNames: ["upstream"],
    collect: () => {
      for (const x of sampled.values()) x.opens.inc(x.u.breaker.snapshot().opens - x.opens.value);
    },
  });
  const buckets = registry.gauge({
    name: "gateway_rate_limit_buckets",
    help: "Token buckets held in memory per route group",
    labelNames: ["group"],
    collect: () => {
      for (const x of sampled.values()) x.buckets.set(x.u.limiter.size());
    },
  });

  registerCacheGauges(registry, gauges);
  return {
    registry,
    http,
    refused: byName(REFUSAL_REASONS, (reason) => refusedFamily.labels(reason)),
    authFailures: byName(AUTH_FAILURE_REASONS, (reason) => authFamily.labels(reason)),
    publicRateLimited: rateLimited.labels("public"),
    route: (template) => methodSeries(http, template),
    upstream(name, u) {
      if (sampled.has(name)) throw new Error(`upstream ${name} is registered twice`);
      sampled.set(name, { u, state: circuitState.labels(name), opens: opens.labels(name), buckets: buckets.labels(name) });
      return {
        rateLimited: rateLimited.labels(name),
        upstreamDuration: upstreamDuration.labels(name),
        failures: byName(UPSTREAM_FAILURE_KINDS, (kind) => failures.labels(name, kind)),
      };
    },
  };
}

/** One family per value `gauges()` returns (its names are fixed); it is called once per scrape, by the first family. */
function registerCacheGauges(registry: Registry, gauges: () => Record<string, number>): void {
  let snapshot = gauges();
  const names = Object.keys(snapshot);
  names.forEach((name, i) => {
    const help = name.replace(/^gateway_/, "").replace(/_/g, " ");
    const refresh = () => {
      if (i === 0) snapshot = gauges();
    };
    if (name.endsWith("_total")) {
      const s: CounterSeries = registry
        .counter({
          name,
          help,
          collect: () => {
            refresh();
            s.inc(Math.max(0, (snapshot[name] ?? 0) - s.value));
          },
        })
        .labels();
    } else {
      const s: GaugeSeries = registry
        .gauge({
          name,
          help,
          collect: () => {
            refresh();
            s.set(snapshot[name] ?? 0);
          },
        })
        .labels();
    }
  });
}
