// Builds openapi/gateway.json: the gateway's own probes and edge errors plus every routed service's committed contract.
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import { createHealth } from "../../../lib/health/health.ts";
import { registerHealthRoutes } from "../../../lib/health/routes.ts";
import type { AppEnv } from "../../../lib/http/app-env.ts";
import { problemResponses } from "../../../lib/http/openapi-problems.ts";
import { VERSION } from "../../../lib/version.ts";
import { type ContractDocument, contractPermissions } from "../auth/contract-permissions.ts";
import { SERVICES } from "../proxy/routes.ts";
import { type GatewayParts, mergeContracts, type OpenApiDocument } from "./merge.ts";

const EDGE_ERRORS = [
  "bad_request",
  "unauthorized",
  "insufficient_scope",
  "not_found",
  "payload_too_large",
  "request_header_too_large",
  "rate_limited",
  "bad_gateway",
  "service_unavailable",
  "upstream_timeout",
] as const;

const RETRY_AFTER = { description: "Seconds to wait before retrying", schema: { type: "integer" } };

/** Probes and the edge's error responses, rendered by the same OpenAPI generator the services use (identical Problem schema). */
function gatewayParts(): GatewayParts {
  const app = new OpenAPIHono<AppEnv>();
  registerHealthRoutes(app, createHealth());
  const template = "/__edge_errors";
  app.openapi(createRoute({ method: "get", path: template, responses: problemResponses(...EDGE_ERRORS) as never }), () => {
    throw new Error("never served");
  });
  const doc = app.getOpenAPI31Document({ openapi: "3.1.0", info: { title: "gateway", version: VERSION } }) as unknown as OpenApiDocument;
  const edgeResponses = (doc.paths[template]?.get?.responses ?? {}) as GatewayParts["edgeResponses"];
  delete doc.paths[template];
  edgeResponses["429"] = {
    ...edgeResponses["429"],
    headers: {
      "Retry-After": RETRY_AFTER,
      RateLimit: {
        description: 'Remaining quota and seconds until it is full (draft-ietf-httpapi-ratelimit-headers), e.g. `"orders";r=0;t=2`',
        schema: { type: "string" },
      },
      "RateLimit-Policy": { description: 'The route group\'s quota per window, e.g. `"orders";q=100;w=2`', schema: { type: "string" } },
    },
  };
  edgeResponses["503"] = { ...edgeResponses["503"], headers: { "Retry-After": RETRY_AFTER } };
  return {
    info: {
      title: "Platform API",
      version: VERSION,
      description:
        "The public API of the platform, served by the gateway: every routed service's operations under one contract. " +
        "Send a user access token from the configured OIDC issuer as `Authorization: Bearer <token>`. The gateway verifies it, " +
        "rate-limits per subject, and forwards only the claims each service needs. Errors are RFC 9457 problem+json with a stable `code`. " +
        "Paths match exactly: a path not listed here (a trailing slash included) is 404, and a method a listed path does not list is " +
        "405 `method_not_allowed` with `Allow` naming the ones it does. An operation refuses query parameters it does not declare (400).",
      license: { name: "MIT", url: "https://opensource.org/licenses/MIT" },
    },
    own: doc,
    edgeResponses,
    securityScheme: {
      name: "userToken",
      scheme: {
        type: "http",
        scheme: "bearer",
        bearerFormat: "JWT",
        description:
          "User access token (JWT) from the OIDC issuer: signed with an allow-listed asymmetric algorithm, exact `iss`, our `aud`, `exp`/`iat`/`sub` required; scopes in `scope` or `scp`.",
      },
    },
  };
}

/**
 * service name → its contract (openapi/<name>.json); services without one are skipped. The scopes each operation is
 * published with are derived from the very document being merged, as the running gateway derives its permission table.
 */
export function gatewayDocument(contracts: Record<string, OpenApiDocument | undefined>): OpenApiDocument {
  const services = SERVICES.flatMap((s) => {
    const document = contracts[s.name];
    return document ? [{ name: s.name, prefixes: s.prefixes, rules: contractPermissions(s, document as ContractDocument), document }] : [];
  });
  return mergeContracts(gatewayParts(), services);
}
