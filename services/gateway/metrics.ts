// Gateway counters and the Prometheus text at /metrics: requests by upstream and status class, refusals, breaker state, caches.
import { circuitStateValue } from "../../lib/http/client/circuit-breaker.ts";
import type { UpstreamRoute } from "./proxy/routes.ts";

export interface GatewayMetrics {
  /** upstream → status class (2xx, 4xx, …) → count, for proxied requests. */
  responses: Map<string, Map<string, number>>;
  /** reason (unauthorized, forbidden, rate_limited, too_large, …) → count of requests refused at the edge. */
  refused: Map<string, number>;
  /** upstream → failure kind (timeout, network, circuit_open) → count. */
  upstreamFailures: Map<string, Map<string, number>>;
}

export function createMetrics(): GatewayMetrics {
  return { responses: new Map(), refused: new Map(), upstreamFailures: new Map() };
}

export function count(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

export function count2(map: Map<string, Map<string, number>>, a: string, b: string): void {
  let inner = map.get(a);
  if (!inner) {
    inner = new Map();
    map.set(a, inner);
  }
  inner.set(b, (inner.get(b) ?? 0) + 1);
}

export interface MetricsSources {
  metrics: GatewayMetrics;
  routes: readonly UpstreamRoute[];
  gauges: () => Record<string, number>;
}

const esc = (v: string) => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");

export function renderMetrics({ metrics, routes, gauges }: MetricsSources): string {
  const lines: string[] = [];
  const family = (name: string, type: string, help: string) => lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);

  family("gateway_responses_total", "counter", "Proxied responses by upstream and status class");
  for (const [up, byClass] of metrics.responses)
    for (const [cls, n] of byClass) lines.push(`gateway_responses_total{upstream="${esc(up)}",class="${cls}"} ${n}`);
  family("gateway_refused_total", "counter", "Requests answered at the edge without reaching a service, by reason");
  for (const [reason, n] of metrics.refused) lines.push(`gateway_refused_total{reason="${esc(reason)}"} ${n}`);
  family("gateway_upstream_failures_total", "counter", "Upstream calls without a usable response, by kind");
  for (const [up, byKind] of metrics.upstreamFailures)
    for (const [kind, n] of byKind) lines.push(`gateway_upstream_failures_total{upstream="${esc(up)}",kind="${kind}"} ${n}`);

  family("gateway_circuit_state", "gauge", "Circuit breaker state per upstream: 0 closed, 1 half-open, 2 open");
  for (const r of routes) lines.push(`gateway_circuit_state{upstream="${esc(r.name)}"} ${circuitStateValue(r.client.breaker.state())}`);
  family("gateway_circuit_opens_total", "counter", "Times each upstream's circuit opened");
  for (const r of routes) lines.push(`gateway_circuit_opens_total{upstream="${esc(r.name)}"} ${r.client.breaker.snapshot().opens}`);
  family("gateway_rate_limit_buckets", "gauge", "Token buckets held in memory per route group");
  for (const r of routes) lines.push(`gateway_rate_limit_buckets{group="${esc(r.name)}"} ${r.limiter.size()}`);
  for (const [name, value] of Object.entries(gauges())) {
    family(name, name.endsWith("_total") ? "counter" : "gauge", name.replace(/_/g, " "));
    lines.push(`${name} ${value}`);
  }
  return `${lines.join("\n")}\n`;
}
