// Merges the routed services' OpenAPI documents into the gateway's public contract: their public paths, user-token security, edge errors.
import { underPrefix } from "../auth/contract-permissions.ts";
import { compileRules, findRule, type PermissionRule } from "../auth/permissions.ts";

type Json = Record<string, unknown>;
export type OpenApiDocument = Json & { paths: Record<string, Record<string, Json>>; components?: Record<string, Record<string, unknown>> };

export interface ServiceContract {
  name: string;
  /** Public path prefixes routed to the service; only paths under them are published. */
  prefixes: readonly string[];
  rules: readonly PermissionRule[];
  document: OpenApiDocument;
}

export interface GatewayParts {
  info: Json;
  /** The gateway's own paths (probes) and components (Problem, probe schema). */
  own: OpenApiDocument;
  /** Error responses the gateway itself may answer on any routed operation, by status. */
  edgeResponses: Record<string, Json>;
  securityScheme: { name: string; scheme: Json };
}

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
const clone = <T>(v: T): T => structuredClone(v);
const stable = (v: unknown) => JSON.stringify(v);

function mergeComponents(into: Record<string, Record<string, unknown>>, from: Record<string, Record<string, unknown>> | undefined, source: string) {
  for (const [kind, entries] of Object.entries(from ?? {})) {
    if (kind === "securitySchemes") continue; // services' internal-token scheme is not public
    into[kind] ??= {};
    const target = into[kind];
    for (const [name, value] of Object.entries(entries)) {
      if (name in target && stable(target[name]) !== stable(value)) {
        throw new Error(`components.${kind}.${name} differs between ${source} and an earlier document; rename one of them`);
      }
      target[name] = clone(value);
    }
  }
}

/** Adds the edge's error responses; where the service documents the same status, examples and headers are combined. */
function mergeResponses(responses: Json, edge: Record<string, Json>) {
  for (const [status, response] of Object.entries(edge)) {
    const existing = responses[status] as Json | undefined;
    if (!existing) {
      responses[status] = clone(response);
      continue;
    }
    const mine = (existing.content as Json | undefined)?.["application/problem+json"] as Json | undefined;
    const theirs = (response.content as Json)["application/problem+json"] as Json;
    if (mine) mine.examples = { ...(theirs.examples as Json), ...(mine.examples as Json) };
    existing.headers = { ...(response.headers as Json | undefined), ...(existing.headers as Json | undefined) };
    if (!String(existing.description).includes(String(response.description))) existing.description = `${existing.description}; ${response.description}`;
  }
}

const samplePath = (template: string) => template.replace(/\{[^}]+\}/g, "x");

export function mergeContracts(parts: GatewayParts, services: readonly ServiceContract[]): OpenApiDocument {
  const components: Record<string, Record<string, unknown>> = {};
  mergeComponents(components, parts.own.components, "the gateway");
  const paths: OpenApiDocument["paths"] = clone(parts.own.paths);
  const operationIds = new Set<string>();
  const tags = new Map<string, Json>();

  for (const svc of services) {
    mergeComponents(components, svc.document.components, svc.name);
    const rules = compileRules(svc.rules);
    for (const [template, item] of Object.entries(svc.document.paths)) {
      if (!underPrefix(template, svc.prefixes)) continue; // probes and internals stay private
      for (const method of METHODS) {
        const op = item[method] as Json | undefined;
        if (!op) continue;
        const rule = findRule(rules, method.toUpperCase(), samplePath(template));
        if (!rule) continue; // not routed by the gateway, so not public
        const id = op.operationId as string | undefined;
        if (id) {
          if (operationIds.has(id)) throw new Error(`operationId ${id} appears in two services`);
          operationIds.add(id);
        }
        const out = clone(op);
        // One requirement per scope: OpenAPI reads the alternatives as "any of", the scopes inside one as "all of".
        out.security = rule.anyOf.map((scope) => ({ [parts.securityScheme.name]: [scope] }));
        out.description = `${out.description ?? ""}\n\nAt the gateway: a user token with any of ${rule.anyOf.map((s) => `\`${s}\``).join(", ")}.`.trim();
        out.responses ??= {};
        mergeResponses(out.responses as Json, parts.edgeResponses);
        paths[template] ??= {};
        paths[template][method] = out;
        for (const t of (out.tags as string[] | undefined) ?? []) if (!tags.has(t)) tags.set(t, { name: t, description: `Routed to the ${svc.name} service` });
      }
    }
  }

  components.securitySchemes = { [parts.securityScheme.name]: parts.securityScheme.scheme };
  return {
    openapi: "3.1.0",
    info: parts.info,
    servers: [{ url: "/", description: "The gateway: the platform's only public entry" }],
    tags: [{ name: "probes", description: "Gateway health probes" }, ...tags.values()],
    paths,
    components,
  };
}

/** The contract as served by a running gateway: only the services it actually routes (unset URLs drop theirs). */
export function routedOnly(doc: OpenApiDocument, prefixes: readonly string[], allPrefixes: readonly string[]): OpenApiDocument {
  const unrouted = allPrefixes.filter((p) => !prefixes.includes(p));
  const paths = Object.fromEntries(Object.entries(doc.paths).filter(([t]) => !underPrefix(t, unrouted)));
  return { ...doc, paths };
}
