// Permission rules and their matching: which scopes (any of) a method and path of a routed service needs at the edge.
import type { Scope } from "../../../lib/auth/principal.ts";

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
    return { ...rule, re: new RegExp(`^${body}/?$`) };
  });
}

/** The first rule matching; a request none matches is answered 404 at the edge (deny by default). */
export function findRule<R extends CompiledRule>(rules: readonly R[], method: string, path: string): R | undefined {
  const m = method === "HEAD" ? "GET" : method;
  for (const rule of rules) if (rule.methods.includes(m) && rule.re.test(path)) return rule;
  return undefined;
}

export function allows(rule: PermissionRule, scopes: ReadonlySet<string>): boolean {
  for (const s of rule.anyOf) if (scopes.has(s)) return true;
  return false;
}
