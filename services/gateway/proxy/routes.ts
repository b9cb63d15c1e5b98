// The route table: public path prefix → upstream service, with its permission rules, token audience, limiter and client.
import { SCOPES } from "../../../lib/auth/principal.ts";
import type { UpstreamClient } from "../../../lib/http/client/upstream-client.ts";
import { underPrefix } from "../auth/contract-permissions.ts";
import type { InternalTokenTarget } from "../auth/internal-tokens.ts";
import { type CompiledRule, compileRules, type PermissionRule } from "../auth/permissions.ts";
import type { MethodSeries, RouteMetrics, UpstreamMetrics } from "../metrics.ts";
import type { RateLimiter } from "../ratelimit/limiter.ts";

/**
 * The services the gateway knows and the public path families each one serves (DESIGN.md, fixed interfaces); each is
 * routed only when its URL is configured.
 */
export const SERVICES = [
  { name: "orders", prefixes: ["/v1/orders"], urlVar: "ORDERS_URL" },
  { name: "notifications", prefixes: ["/v1/notifications"], urlVar: "NOTIFICATIONS_URL" },
  { name: "inference", prefixes: ["/v1/models", "/v1/chat/completions", "/v1/embeddings"], urlVar: "INFERENCE_URL" },
] as const;

export type ServiceName = (typeof SERVICES)[number]["name"];

/** Every public prefix the gateway may route (a running gateway serves only the configured ones). */
export const ALL_PREFIXES: readonly string[] = SERVICES.flatMap((s) => s.prefixes);

/** A permission rule with the http_* series of its path template, bound when the route is built. */
export interface RouteRule extends PermissionRule {
  series: MethodSeries;
}

/** One public prefix of a service; a service with several prefixes has one route each, sharing client and limiter. */
export interface UpstreamRoute {
  name: string;
  prefix: string;
  target: InternalTokenTarget;
  rules: readonly CompiledRule<RouteRule>[];
  client: UpstreamClient;
  limiter: RateLimiter;
  metrics: RouteMetrics;
}

export interface RouteParts {
  name: string;
  prefix: string;
  /** The service's permission rules; those under this prefix are kept. */
  rules: readonly PermissionRule[];
  client: UpstreamClient;
  limiter: RateLimiter;
  /** The service's upstream series (shared by its prefixes). */
  upstream: UpstreamMetrics;
  /** http_* series of a route template (a rule's path, or the prefix + "/**" for requests refused before a rule). */
  series: (template: string) => MethodSeries;
}

export function createRoute(p: RouteParts): UpstreamRoute {
  const mine = p.rules.filter((rule) => underPrefix(rule.path, [p.prefix]));
  return {
    name: p.name,
    prefix: p.prefix,
    target: { name: p.name, scopes: new Set(SCOPES.filter((s) => s.startsWith(`${p.name}:`))) },
    rules: compileRules(mine.map((rule) => ({ ...rule, series: p.series(rule.path) }))),
    client: p.client,
    limiter: p.limiter,
    metrics: { ...p.upstream, unresolved: p.series(`${p.prefix}/**`) },
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
