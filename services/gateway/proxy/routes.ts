// The route table: public path prefix → upstream service, with its permission rules, token audience, limiter and client.
import { SCOPES } from "../../../lib/auth/principal.ts";
import type { UpstreamClient } from "../../../lib/http/client/upstream-client.ts";
import type { InternalTokenTarget } from "../auth/internal-tokens.ts";
import { type CompiledRule, compileRules, ROUTE_PERMISSIONS } from "../auth/permissions.ts";
import { type RouteMetrics, UNBOUND_ROUTE_METRICS } from "../metrics.ts";
import type { RateLimiter } from "../ratelimit/limiter.ts";

/** The services the gateway knows; each is routed only when its URL is configured. */
export const SERVICES = [
  { name: "orders", prefix: "/v1/orders", urlVar: "ORDERS_URL" },
  { name: "notifications", prefix: "/v1/notifications", urlVar: "NOTIFICATIONS_URL" },
  { name: "inference", prefix: "/v1/models", urlVar: "INFERENCE_URL" },
] as const;

export type ServiceName = (typeof SERVICES)[number]["name"];

export interface UpstreamRoute {
  name: string;
  prefix: string;
  target: InternalTokenTarget;
  rules: CompiledRule[];
  client: UpstreamClient;
  limiter: RateLimiter;
  /** Its series, bound by createGatewayMetrics when the app is built (no-ops until then). */
  metrics: RouteMetrics;
}

export function createRoute(name: string, prefix: string, client: UpstreamClient, limiter: RateLimiter): UpstreamRoute {
  return {
    name,
    prefix,
    target: { name, scopes: new Set(SCOPES.filter((s) => s.startsWith(`${name}:`))) },
    rules: compileRules(ROUTE_PERMISSIONS[name] ?? []),
    client,
    limiter,
    metrics: UNBOUND_ROUTE_METRICS,
  };
}

/** The route whose prefix is the path or a whole-segment prefix of it (`/v1/orders`, `/v1/orders/…`, not `/v1/ordersX`). */
export function matchRoute(routes: readonly UpstreamRoute[], path: string): UpstreamRoute | undefined {
  for (const r of routes) {
    if (path.startsWith(r.prefix) && (path.length === r.prefix.length || path.charCodeAt(r.prefix.length) === 47)) return r;
  }
  return undefined;
}

/**
 * Paths with dot segments, empty segments, backslashes or encoded slashes/dots could be read differently by us and
 * by the service (and slip past the permission table), so they are refused outright.
 */
export function isAmbiguousPath(path: string): boolean {
  return path.includes("/.") || path.includes("//") || path.includes("\\") || (path.includes("%") && /%(2e|2f|5c)/i.test(path));
}
