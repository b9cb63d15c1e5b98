// Serves the service's OpenAPI document at /openapi.json and an interactive reference page at /docs.
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "./app-env.ts";

export interface DocsInfo {
  title: string;
  version: string;
  description?: string;
}

/** The OpenAPI 3.1 document of an app: what /openapi.json serves and what the contract generator writes. */
export function openApiDocument(app: OpenAPIHono<AppEnv>, info: DocsInfo) {
  app.openAPIRegistry.registerComponent("securitySchemes", "internalToken", {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description: "Short-lived (≤ 60 s) EdDSA JWT minted by the gateway: iss `gateway`, aud = this service, sub = the caller, scope = space-separated scopes.",
  });
  return app.getOpenAPI31Document({
    openapi: "3.1.0",
    info: {
      title: info.title,
      version: info.version,
      description: info.description ?? "",
      license: { name: "MIT", url: "https://opensource.org/licenses/MIT" },
    },
    servers: [{ url: "/", description: "This service" }],
  });
}

// The page loads the Scalar reference renderer from its CDN; the document itself is served locally.
const page = (title: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title></head>
<body><script id="api-reference" data-url="/openapi.json"></script>
<script src="https://cdn.jsdelivr.net/npm/@scalar/api-reference"></script></body></html>`;

export function registerDocs(app: OpenAPIHono<AppEnv>, info: DocsInfo): void {
  registerDocumentRoutes(app, () => openApiDocument(app, info), info.title);
}

/** Serves a given document (built once, on first request) at /openapi.json and the reference page at /docs. */
export function registerDocumentRoutes(app: OpenAPIHono<AppEnv>, document: () => unknown, title: string): void {
  let doc: string | undefined;
  app.get("/openapi.json", (c) => {
    doc ??= JSON.stringify(document());
    return c.body(doc, 200, { "content-type": "application/json" });
  });
  const html = page(title.replace(/[<>&"]/g, ""));
  app.get("/docs", (c) => c.html(html));
}
