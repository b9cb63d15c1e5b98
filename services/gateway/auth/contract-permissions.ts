// Derives a service's permission rules from its OpenAPI contract: each operation's method, path and security scopes.
import { SCOPES, type Scope } from "../../../lib/auth/principal.ts";
import type { PermissionRule } from "./permissions.ts";

/** The parts of an OpenAPI document read here (a document-level `security` is the default of every operation). */
export interface ContractDocument {
  security?: unknown;
  paths: Record<string, Record<string, unknown>>;
}

/** A service as the gateway routes it: the public path prefixes sent to it. */
export interface RoutedService {
  name: string;
  prefixes: readonly string[];
}

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;
const KNOWN_SCOPES: ReadonlySet<string> = new Set(SCOPES);

/** Whether `path` is one of the prefixes or lies under one of them by whole segments. */
export function underPrefix(path: string, prefixes: readonly string[]): boolean {
  return prefixes.some((p) => path === p || path.startsWith(`${p}/`));
}

/** A template's `{param}` segments become `*`: a path parameter matches one segment, as in the service's router. */
function pattern(template: string): string | undefined {
  const segments = template.split("/").map((seg) => (/^\{[^{}/]+\}$/.test(seg) ? "*" : seg));
  return segments.some((seg) => seg !== "*" && /[{}*]/.test(seg)) ? undefined : segments.join("/");
}

/**
 * OpenAPI matches concrete paths before templated ones (`/dead-letters/replay` before `/dead-letters/{seq}`): rules are
 * ordered likewise, segment by segment, so the first match at the edge is the operation the service serves.
 */
function concreteFirst(a: PermissionRule, b: PermissionRule): number {
  const x = a.path.split("/");
  const y = b.path.split("/");
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const wa = x[i] === "*" ? 1 : 0;
    const wb = y[i] === "*" ? 1 : 0;
    if (wa !== wb) return wa - wb;
  }
  return x.length - y.length; // patterns of different lengths never match the same path; this only keeps the order total
}

/** The scopes of one security requirement's alternatives; the edge lets a caller through with any one of them. */
function scopesOf(svc: RoutedService, where: string, security: unknown, problems: string[]): Scope[] {
  if (!Array.isArray(security) || security.length === 0) {
    problems.push(
      `${where} has no security requirement: every operation the gateway routes must name the scope it needs ` +
        "(the gateway routes no public operations; anything public is the gateway's own page)",
    );
    return [];
  }
  const anyOf: Scope[] = [];
  for (const requirement of security) {
    const scopes = Object.values((requirement ?? {}) as Record<string, unknown>).flatMap((v) => (Array.isArray(v) ? v : [v]));
    if (scopes.length !== 1) {
      problems.push(
        scopes.length === 0
          ? `${where} has a security requirement that names no scope (any valid token would pass)`
          : `${where} requires ${scopes.join(" and ")} together; the edge checks one scope per alternative`,
      );
      continue;
    }
    const scope = String(scopes[0]);
    if (!KNOWN_SCOPES.has(scope)) problems.push(`${where} requires ${scope}, which is not a platform scope (${SCOPES.join(", ")})`);
    else if (!scope.startsWith(`${svc.name}:`)) problems.push(`${where} requires ${scope}, which the ${svc.name} service is never sent`);
    else if (!anyOf.includes(scope as Scope)) anyOf.push(scope as Scope);
  }
  return anyOf;
}

/**
 * One rule per operation under the service's public prefixes (operations outside them, like the probes, are not
 * routed). Every problem is added to `problems`: an operation with no scope, two operations on one method and path
 * pattern, a path template the edge cannot match.
 */
export function collectContractPermissions(svc: RoutedService, doc: ContractDocument, problems: string[]): PermissionRule[] {
  const rules: PermissionRule[] = [];
  const seen = new Map<string, string>();
  for (const [template, item] of Object.entries(doc.paths)) {
    if (!underPrefix(template, svc.prefixes)) continue;
    const path = pattern(template);
    for (const method of METHODS) {
      const op = item[method] as { security?: unknown } | undefined;
      if (op === undefined) continue;
      const where = `${svc.name}: ${method.toUpperCase()} ${template}`;
      if (path === undefined) {
        problems.push(`${where}: only whole-segment path parameters can be matched at the edge`);
        continue;
      }
      if (method === "head") {
        problems.push(`${where}: HEAD is checked as GET at the edge; declare the GET operation`);
        continue;
      }
      const key = `${method} ${path}`;
      const earlier = seen.get(key);
      if (earlier !== undefined) {
        problems.push(`${where} is the same route as ${earlier} (guarded twice)`);
        continue;
      }
      seen.set(key, `${method.toUpperCase()} ${template}`);
      const anyOf = scopesOf(svc, where, op.security ?? doc.security, problems);
      if (anyOf.length > 0) rules.push({ methods: [method.toUpperCase()], path, anyOf });
    }
  }
  return rules.sort(concreteFirst);
}

/** The rules of one service's contract; throws one error listing every problem. */
export function contractPermissions(svc: RoutedService, doc: ContractDocument): PermissionRule[] {
  const problems: string[] = [];
  const rules = collectContractPermissions(svc, doc, problems);
  if (problems.length > 0) throw new Error(`The ${svc.name} contract cannot be routed:\n- ${problems.join("\n- ")}`);
  return rules;
}
