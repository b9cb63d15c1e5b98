// The docs page: served with its own CSP, its renderer from the pinned package (no CDN), loaded on first request only.
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "./app-env.ts";
import { DOCS_CSP, registerDocumentRoutes } from "./docs.ts";

const pkgDir = join(import.meta.dir, "../../node_modules/@scalar/api-reference");
const pinned = JSON.parse(readFileSync(join(import.meta.dir, "../../package.json"), "utf8")).dependencies["@scalar/api-reference"];

describe("registerDocumentRoutes", () => {
  let built = 0;
  const app = new OpenAPIHono<AppEnv>();
  registerDocumentRoutes(app, () => ({ openapi: "3.1.0", n: ++built }), 'Things <"API">');

  test("/docs: a page naming its local renderer (pinned version), the document and settings; a CSP without any remote source", async () => {
    const res = await app.request("/docs");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-security-policy")).toBe(DOCS_CSP);
    expect(DOCS_CSP).toContain("script-src 'self';");
    expect(DOCS_CSP).not.toMatch(/https?:|\*/);
    const html = await res.text();
    expect(html).toContain(`<script src="/docs/api-reference.js?v=${pinned}"></script>`);
    expect(html).toContain('data-url="/openapi.json"');
    expect(html).toContain("<title>Things &#60;&#34;API&#34;&#62;</title>");
    expect(html).not.toMatch(/https?:\/\//);
    // The settings travel in a JSON data block: no inline script runs (script-src 'self' has no nonce).
    expect(html).toContain('type="application/json"');
    expect(html).toContain("&#34;withDefaultFonts&#34;:false");
  });

  test("/docs/api-reference.js: the package's standalone bundle byte for byte, gzip when accepted, cacheable", async () => {
    const original = new Uint8Array(readFileSync(join(pkgDir, "dist/browser/standalone.js")));
    expect(JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8")).version).toBe(pinned);
    const plain = await app.request("/docs/api-reference.js");
    expect(plain.status).toBe(200);
    expect(plain.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(plain.headers.get("cache-control")).toContain("immutable");
    expect(plain.headers.get("content-encoding")).toBeNull();
    expect(new Uint8Array(await plain.arrayBuffer())).toEqual(original);

    const zipped = await app.request("/docs/api-reference.js", { headers: { "accept-encoding": "gzip, br" } });
    expect(zipped.headers.get("content-encoding")).toBe("gzip");
    const body = new Uint8Array(await zipped.arrayBuffer());
    expect(body.byteLength).toBeLessThan(original.byteLength / 2);
    expect(Bun.gunzipSync(body)).toEqual(original);
  });

  test("/openapi.json: the document, built once", async () => {
    expect(await (await app.request("/openapi.json")).json()).toEqual({ openapi: "3.1.0", n: 1 });
    expect(await (await app.request("/openapi.json")).json()).toEqual({ openapi: "3.1.0", n: 1 });
  });
});

test("the renderer is not loaded at process start: importing docs.ts and registering the routes leaves it unread", () => {
  // A fresh process, so no earlier test has loaded it: Bun lists every module it loaded in require.cache.
  const probe = `
    const { OpenAPIHono } = await import("@hono/zod-openapi");
    const { registerDocumentRoutes } = await import(${JSON.stringify(join(import.meta.dir, "docs.ts"))});
    const app = new OpenAPIHono();
    registerDocumentRoutes(app, () => ({}), "t");
    const loaded = () => Object.keys(require.cache).some((k) => k.endsWith("docs-renderer.ts"));
    const before = loaded();
    await app.request("/docs");
    console.log(JSON.stringify({ before, after: loaded() }));`;
  const out = Bun.spawnSync([process.execPath, "-e", probe], { cwd: import.meta.dir, stderr: "pipe" });
  expect(out.stderr.toString()).toBe("");
  expect(JSON.parse(out.stdout.toString())).toEqual({ before: false, after: true });
});
