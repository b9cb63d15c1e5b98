// The permission table derived from the contracts: one rule per operation with exactly its scopes; broken contracts fail loudly.
import { describe, expect, test } from "bun:test";
import { gatewayDocument } from "../contract/document.ts";
import type { OpenApiDocument } from "../contract/merge.ts";
import { SERVICES } from "../proxy/routes.ts";
import { type ContractDocument, contractPermissions, underPrefix } from "./contract-permissions.ts";
import { compileRules, findRule } from "./permissions.ts";
import { CHECKED_IN_CONTRACTS, routePermissions } from "./route-permissions.ts";

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
type Op = { security?: Record<string, string[]>[] };

/** Every operation of a contract: method, template and the scopes its security requirement names. */
function operations(doc: ContractDocument) {
  return Object.entries(doc.paths).flatMap(([template, item]) =>
    METHODS.filter((m) => item[m] !== undefined).map((m) => ({
      method: m.toUpperCase(),
      template,
      scopes: ((item[m] as Op).security ?? []).flatMap((r) => Object.values(r).flat()),
    })),
  );
}
/** A concrete path for a template; the value is no literal segment of any contract. */
const sample = (template: string) => template.replace(/\{[^}]+\}/g, "p-7f3a");

const orders = CHECKED_IN_CONTRACTS.orders as ContractDocument;
const ordersSvc = { name: "orders", prefixes: ["/v1/orders"] };
const doctor = (edit: (doc: ContractDocument & { paths: Record<string, Record<string, Op>> }) => void): ContractDocument => {
  const copy = structuredClone(orders) as ContractDocument & { paths: Record<string, Record<string, Op>> };
  edit(copy);
  return copy;
};
const op = (doc: { paths: Record<string, Record<string, Op>> }, path: string, method: string): Op => {
  const found = doc.paths[path]?.[method];
  if (!found) throw new Error(`no ${method} ${path} in the fixture`);
  return found;
};

describe("permission table from the checked-in contracts", () => {
  const table = routePermissions();

  for (const svc of SERVICES) {
    const contract = CHECKED_IN_CONTRACTS[svc.name];
    if (contract === undefined) continue;
    test(`${svc.name}: every routed operation maps to exactly one rule with exactly its scopes, and to nothing else`, () => {
      const rules = compileRules(table[svc.name]);
      const routed = operations(contract).filter((o) => underPrefix(o.template, svc.prefixes));
      expect(routed.length).toBeGreaterThan(0);
      expect(rules.length).toBe(routed.length);
      for (const o of routed) {
        const path = sample(o.template);
        const matching = rules.filter((r) => r.methods.includes(o.method) && r.re.test(path));
        expect({ op: `${o.method} ${o.template}`, rules: matching.length }).toEqual({ op: `${o.method} ${o.template}`, rules: 1 });
        expect(o.scopes.length).toBeGreaterThan(0);
        expect<string[]>([...(findRule(rules, o.method, path)?.anyOf ?? [])]).toEqual(o.scopes);
      }
    });

    test(`${svc.name}: operations outside its public prefixes (the probes) are not routed`, () => {
      const rules = compileRules(table[svc.name]);
      const internal = operations(contract).filter((o) => !underPrefix(o.template, svc.prefixes));
      expect(internal.map((o) => o.template).sort()).toEqual(["/healthz", "/readyz", "/startupz"]);
      for (const o of internal) expect(findRule(rules, o.method, o.template)).toBeUndefined();
    });
  }

  test("inference's rules come from its contract: one scope, its three path families only", () => {
    const rules = compileRules(table.inference);
    for (const [method, path] of [
      ["GET", "/v1/models"],
      ["GET", "/v1/models/lid"],
      ["GET", "/v1/models/lid/ready"],
      ["POST", "/v1/models/lid/infer"],
      ["POST", "/v1/chat/completions"],
      ["POST", "/v1/embeddings"],
    ] as const)
      expect(findRule(rules, method, path)?.anyOf).toEqual(["inference:invoke"]);
    for (const [method, path] of [
      ["POST", "/v1/models"],
      ["DELETE", "/v1/models/lid"],
      ["POST", "/v1/models/lid/unload"],
      ["GET", "/v1/chat/completions"],
      ["POST", "/v1/embeddings/x"],
    ] as const)
      expect(findRule(rules, method, path)).toBeUndefined();
  });

  test("concrete paths are matched before templated ones, whatever the order in the contract", () => {
    const doc = doctor((d) => {
      const byId = d.paths["/v1/orders/{id}"] as Record<string, Op>;
      d.paths = { "/v1/orders/{id}": byId, "/v1/orders/summary": { get: { security: [{ internalToken: ["orders:admin"] }] } } };
    });
    const rules = compileRules(contractPermissions(ordersSvc, doc));
    expect(findRule(rules, "GET", "/v1/orders/summary")?.anyOf).toEqual(["orders:admin"]);
    expect(findRule(rules, "GET", "/v1/orders/o-1")?.anyOf).toEqual(["orders:read"]);
  });

  test("alternatives in a security requirement become any-of scopes; a document-level requirement is the default", () => {
    const doc = doctor((d) => {
      op(d, "/v1/orders/{id}", "get").security = [{ internalToken: ["orders:read"] }, { internalToken: ["orders:admin"] }];
      delete op(d, "/v1/orders", "get").security;
      (d as { security?: unknown }).security = [{ internalToken: ["orders:admin"] }];
    });
    const rules = compileRules(contractPermissions(ordersSvc, doc));
    expect(findRule(rules, "GET", "/v1/orders/o-1")?.anyOf).toEqual(["orders:read", "orders:admin"]);
    expect(findRule(rules, "GET", "/v1/orders")?.anyOf).toEqual(["orders:admin"]);
  });
});

describe("a contract the edge cannot guard fails loudly", () => {
  const cases: [string, (d: { paths: Record<string, Record<string, Op>> }) => void, string][] = [
    [
      "a missing security requirement",
      (d) => delete op(d, "/v1/orders/{id}/cancel", "post").security,
      "orders: POST /v1/orders/{id}/cancel has no security requirement",
    ],
    ["an empty security requirement (public)", (d) => (op(d, "/v1/orders", "get").security = []), "orders: GET /v1/orders has no security requirement"],
    [
      "a requirement naming no scope",
      (d) => (op(d, "/v1/orders", "post").security = [{ internalToken: [] }]),
      "POST /v1/orders has a security requirement that names no scope",
    ],
    [
      "two scopes required together",
      (d) => (op(d, "/v1/orders", "post").security = [{ internalToken: ["orders:write", "orders:admin"] }]),
      "requires orders:write and orders:admin together",
    ],
    [
      "an unknown scope",
      (d) => (op(d, "/v1/orders", "post").security = [{ internalToken: ["orders:delete"] }]),
      "requires orders:delete, which is not a platform scope",
    ],
    [
      "another service's scope",
      (d) => (op(d, "/v1/orders", "post").security = [{ internalToken: ["notifications:admin"] }]),
      "requires notifications:admin, which the orders service is never sent",
    ],
    [
      "one route declared twice under different parameter names",
      (d) => (d.paths["/v1/orders/{orderId}"] = { get: { security: [{ internalToken: ["orders:admin"] }] } }),
      "GET /v1/orders/{orderId} is the same route as GET /v1/orders/{id} (guarded twice)",
    ],
    [
      "a parameter inside a segment",
      (d) => (d.paths["/v1/orders/{id}.json"] = { get: { security: [{ internalToken: ["orders:read"] }] } }),
      "GET /v1/orders/{id}.json: only whole-segment path parameters",
    ],
  ];
  for (const [what, edit, message] of cases) {
    test(`${what}: the table, and the merged contract, refuse to build`, () => {
      const doc = doctor(edit);
      expect(() => routePermissions({ ...CHECKED_IN_CONTRACTS, orders: doc })).toThrow(message);
      expect(() => gatewayDocument({ orders: doc as OpenApiDocument })).toThrow(message);
    });
  }

  test("every problem is listed at once", () => {
    const doc = doctor((d) => {
      delete op(d, "/v1/orders", "get").security;
      delete op(d, "/v1/orders/{id}", "get").security;
    });
    expect(() => contractPermissions(ordersSvc, doc)).toThrow(/GET \/v1\/orders has no security[\s\S]*GET \/v1\/orders\/\{id\} has no security/);
  });

  test("a service without a contract is refused", () => {
    expect(() => routePermissions({ ...CHECKED_IN_CONTRACTS, inference: undefined })).toThrow("inference has no contract, so nothing of it is reachable");
  });
});
