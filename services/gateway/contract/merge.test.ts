import { describe, expect, test } from "bun:test";
import committedOrders from "../../../openapi/orders.json" with { type: "json" };
import { gatewayDocument } from "./document.ts";
import { mergeContracts, type OpenApiDocument, routedOnly } from "./merge.ts";

const orders = committedOrders as unknown as OpenApiDocument;
const doc = gatewayDocument({ orders });
type Op = {
  security: Record<string, string[]>[];
  responses: Record<string, { headers?: Record<string, unknown>; content?: Record<string, { examples?: object }> }>;
};
const op = (path: string, method: string) => doc.paths[path]?.[method] as unknown as Op;

describe("merged gateway contract", () => {
  test("publishes the routed service operations with the user-token scheme and the scopes the edge checks", () => {
    expect(Object.keys(doc.paths).sort()).toEqual(["/healthz", "/readyz", "/startupz", "/v1/orders", "/v1/orders/{id}", "/v1/orders/{id}/cancel"]);
    expect(op("/v1/orders", "post").security).toEqual([{ userToken: ["orders:write"] }]);
    expect(op("/v1/orders/{id}", "get").security).toEqual([{ userToken: ["orders:read"] }]);
    expect(Object.keys(doc.components?.securitySchemes ?? {})).toEqual(["userToken"]);
    expect(JSON.stringify(doc)).not.toContain("internalToken");
  });

  test("every routed operation documents the edge's own errors, merged with the service's", () => {
    const get = op("/v1/orders/{id}", "get");
    for (const status of ["401", "403", "404", "413", "429", "431", "502", "503", "504"]) expect(get.responses[status]).toBeDefined();
    expect(Object.keys(get.responses["429"]?.headers ?? {})).toEqual(["Retry-After", "RateLimit", "RateLimit-Policy"]);
    expect(get.responses["401"]?.headers?.["WWW-Authenticate"]).toBeDefined();
    const notFound = get.responses["404"]?.content?.["application/problem+json"]?.examples ?? {};
    expect(Object.keys(notFound)).toContain("not_found");
    const original = orders.paths["/v1/orders/{id}"]?.get as unknown as Op;
    expect(get.responses["200"]).toEqual(original.responses["200"] as never);
  });

  test("clashing component names or operation ids between services fail the generation", () => {
    const clash = structuredClone(orders);
    (clash.components as Record<string, Record<string, unknown>>).schemas = { Order: { type: "string" } };
    const parts = { info: {}, own: { paths: {} }, edgeResponses: {}, securityScheme: { name: "userToken", scheme: {} } };
    const svc = (name: string, prefix: string, document: OpenApiDocument) => ({
      name,
      prefixes: [prefix],
      document,
      rules: [{ methods: ["GET", "POST"], path: `${prefix}/**`, anyOf: [] }],
    });
    expect(() => mergeContracts(parts as never, [svc("orders", "/v1/orders", orders), svc("copy", "/v1/orders", clash)])).toThrow(
      "components.schemas.Order differs",
    );
  });

  test("a running gateway serves only what it routes", () => {
    const served = routedOnly(doc, [], ["/v1/orders", "/v1/models"]);
    expect(Object.keys(served.paths).sort()).toEqual(["/healthz", "/readyz", "/startupz"]);
  });
});
