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

/** Served at RENDERER_PATH: the renderer's JavaScript (docs-renderer.ts), from this process, never from a CDN. */
const RENDERER_PATH = "/docs/api-reference.js";

// Scalar reads its settings from this element (a JSON data block: no inline code runs, so the CSP needs no nonce). Fonts
// would come from Scalar's servers, telemetry and the "Ask AI" agent would talk to them: all off, so the page works offline.
const SETTINGS = JSON.stringify({
  withDefaultFonts: false,
  telemetry: false,
  agent: { disabled: true },
  hideClientButton: true,
  showDeveloperTools: "never",
  defaultOpenAllTags: true,
});

/** Everything the page needs is here: its script and the document (self), styles the renderer injects, inline SVG images. */
export const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

const escapeHtml = (text: string) => text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

const page = (title: string, version: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><link rel="icon" href="data:,"></head>
<body><script id="api-reference" type="application/json" data-url="/openapi.json" data-configuration="${escapeHtml(SETTINGS)}"></script>
<script src="${RENDERER_PATH}?v=${encodeURIComponent(version)}"></script></body></html>`;

export function registerDocs(app: OpenAPIHono<AppEnv>, info: DocsInfo): void {
  registerDocumentRoutes(app, () => openApiDocument(app, info), info.title);
}

/**
 * Serves a given document (built once, on first request) at /openapi.json, the reference page at /docs and its renderer.
 * The renderer (~5 MB) is imported on the first request for either of the last two, so process start never pays for it.
 */
export function registerDocumentRoutes(app: OpenAPIHono<AppEnv>, document: () => unknown, title: string): void {
  let doc: string | undefined;
  app.get("/openapi.json", (c) => {
    doc ??= JSON.stringify(document());
    return c.body(doc, 200, { "content-type": "application/json" });
  });
  let renderer: ReturnType<typeof import("./docs-renderer.ts").loadRenderer> | undefined;
  const load = () => {
    renderer ??= import("./docs-renderer.ts").then((m) => m.loadRenderer());
    return renderer;
  };
  app.get("/docs", async (c) => {
    const { version } = await load();
    return c.html(page(title, version), 200, { "content-security-policy": DOCS_CSP });
  });
  app.get(RENDERER_PATH, async (c) => {
    const { js, gzip } = await load();
    const gzipped = /\bgzip\b/.test(c.req.header("accept-encoding") ?? "");
    const headers: Record<string, string> = {
      "content-type": "text/javascript; charset=utf-8",
      // The URL names the pinned version: a new one is a new URL.
      "cache-control": "public, max-age=31536000, immutable",
      vary: "accept-encoding",
    };
    if (gzipped) headers["content-encoding"] = "gzip";
    return c.body(gzipped ? gzip : js, 200, headers);
  });
}
