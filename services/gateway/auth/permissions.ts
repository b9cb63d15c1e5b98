// The route permission table: which scopes (any of) each method and path of a routed service needs at the edge.
import type { Scope } from "../../../lib/auth/principal.ts";
import { type MethodSeries, UNBOUND_METHOD_SERIES } from "../metrics.ts";

export interface PermissionRule {
  /** Methods this rule covers; HEAD is checked as GET. */
  methods: readonly string[];
  /** Path pattern: `*` is one segment, a trailing `**` any rest. Also the route template in logs. */
  path: string;
  /** The caller needs at least one of these. */
  anyOf: readonly Scope[];
}

/**
 * Per service, first match wins; a request no rule matches is answered 404 at the edge (deny by default). The scopes
 * mirror what each service's routes require (its contract says which); services check them again themselves, this
 * table keeps unauthorised traffic off them. A new route of a service needs a line here to be reachable.
 */
export const ROUTE_PERMISSIONS: Record<string, readonly PermissionRule[]> = {
  orders: [
    { methods: ["GET"], path: "/v1/orders", anyOf: ["orders:read"] },
    { methods: ["POST"], path: "/v1/orders", anyOf: ["orders:write"] },
    { methods: ["GET"], path: "/v1/orders/*", anyOf: ["orders:read"] },
    { methods: ["POST"], path: "/v1/orders/*/cancel", anyOf: ["orders:write"] },
  ],
  notifications: [
    { methods: ["GET"], path: "/v1/notifications", anyOf: ["notifications:read"] },
    { methods: ["GET"], path: "/v1/notifications/dead-letters", anyOf: ["notifications:admin"] },
    { methods: ["GET", "POST"], path: "/v1/notifications/dead-letters/**", anyOf: ["notifications:admin"] },
  ],
  inference: [
    { methods: ["GET"], path: "/v1/models", anyOf: ["inference:invoke"] },
    { methods: ["GET", "POST"], path: "/v1/models/**", anyOf: ["inference:invoke"] },
  ],
};

export interface CompiledRule extends PermissionRule {
  re: RegExp;
  /** http_* series labelled with this rule's path template, bound by createGatewayMetrics. */
  series: MethodSeries;
}

export function compileRules(rules: readonly PermissionRule[]): CompiledRule[] {
  return rules.map((rule) => {
    const body = rule.path
      .split("/")
      .map((seg) => (seg === "**" ? ".+" : seg === "*" ? "[^/]+" : seg.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
      .join("/");
    return { ...rule, re: new RegExp(`^${body}/?$`), series: UNBOUND_METHOD_SERIES };
  });
}

export function findRule(rules: readonly CompiledRule[], method: string, path: string): CompiledRule | undefined {
  const m = method === "HEAD" ? "GET" : method;
  for (const rule of rules) if (rule.methods.includes(m) && rule.re.test(path)) return rule;
  return undefined;
}

export function allows(rule: PermissionRule, scopes: ReadonlySet<string>): boolean {
  for (const s of rule.anyOf) if (scopes.has(s)) return true;
  return false;
}
