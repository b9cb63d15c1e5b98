// Permission rules and their matching: which scopes (any of) a method and path of a routed service needs at the edge.
import type { Scope } from "../../../lib/auth/principal.ts";
import { allowList } from "../../../lib/http/method-not-allowed.ts";

export interface PermissionRule {
  /** Methods this rule covers; HEAD is checked as GET. */
  methods: readonly string[];
  /** Path pattern: `*` is one segment, a trailing `**` any rest. Also the route template in logs and metrics. */
  path: string;
  /** The caller needs at least one of these. */
  anyOf: readonly Scope[];
}

/** A rule with its path pattern compiled; `T` carries whatever the caller attached (the route's metric series). */
export type CompiledRule<T extends PermissionRule = PermissionRule> = T & { re: RegExp };

export function compileRules<T extends PermissionRule>(rules: readonly T[]): CompiledRule<T>[] {
  return rules.map((rule) => {
    const body = rule.path
      .split("/")
      .map((seg) => (seg === "**" ? ".+" : seg === "*" ? "[^/]+" : seg.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
      .join("/");
    // Exact, as the services' routers match: `/v1/orders/` is not `/v1/orders` (404, no redirect).
    return { ...rule, re: new RegExp(`^${body}$`) };
  });
}

/** The first rule matching; a request none matches is answered 404 at the edge (deny by default). */
export function findRule<R extends CompiledRule>(rules: readonly R[], method: string, path: string): R | undefined {
  const m = method === "HEAD" ? "GET" : method;
  for (const rule of rules) if (rule.methods.includes(m) && rule.re.test(path)) return rule;
  return undefined;
}

/** The methods some rule takes on this path (the `Allow` of a 405), or [] when no rule has the path (a 404). */
export function allowedMethods(rules: readonly CompiledRule[], path: string): string[] {
  return allowList(rules.filter((rule) => rule.re.test(path)).flatMap((rule) => rule.methods));
}

export function allows(rule: PermissionRule, scopes: ReadonlySet<string>): boolean {
  for (const s of rule.anyOf) if (scopes.has(s)) return true;
  return false;
}
