// The request rules every service shares (found by the contract fuzzer): exact paths, 405 with a true Allow, decimal integers, no undeclared query, UTF-8 JSON only.
import { describe, expect, test } from "bun:test";
import { createRoute, z } from "@hono/zod-openapi";
import { silentLogger } from "../logging/logger.ts";
import { createServiceApp } from "./create-app.ts";
import { jsonContentTypeProblem } from "./json-media-type.ts";
import { pageQuery } from "./pagination.ts";
import { NoQuery } from "./query-params.ts";

const app = createServiceApp({ log: silentLogger });
const ok = { 200: { description: "ok" } };
app.openapi(
  createRoute({
    method: "post",
    path: "/v1/things",
    request: { query: NoQuery, body: { required: true, content: { "application/json": { schema: z.strictObject({ n: z.number() }) } } } },
    responses: ok,
  }),
  (c) => c.json(c.req.valid("json"), 200),
);
app.openapi(createRoute({ method: "get", path: "/v1/things", request: { query: z.strictObject(pageQuery(20)) }, responses: ok }), (c) =>
  c.json(c.req.valid("query"), 200),
);
app.openapi(
  createRoute({ method: "post", path: "/v1/things/{id}/touch", request: { params: z.object({ id: z.string() }), query: NoQuery }, responses: ok }),
  (c) => c.json({ touched: c.req.valid("param").id }, 200),
);

const post = (contentType: string, body = '{"n":1}') => app.request("/v1/things", { method: "POST", body, headers: { "content-type": contentType } });

async function problem(res: Response, status: number, code: string) {
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  const body = await res.json();
  expect({ status: res.status, code: body.code, bodyStatus: body.status }).toEqual({ status, code, bodyStatus: status });
  return { res, body };
}

describe("a trailing slash is another path: 404, never a 405 naming the refused method", () => {
  for (const [method, path] of [
    ["GET", "/v1/things/"],
    ["POST", "/v1/things/"],
    ["POST", "/v1/things/x/touch/"],
    ["GET", "/healthz/"],
  ] as const) {
    test(`${method} ${path} → 404`, async () => {
      const { res } = await problem(await app.request(path, { method }), 404, "not_found");
      expect(res.headers.get("allow")).toBeNull();
    });
  }
});

describe("any other method on a known path → 405 with the methods it takes", () => {
  for (const method of ["PUT", "DELETE", "PATCH", "TRACE", "OPTIONS"]) {
    test(method, async () => {
      const { res, body } = await problem(await app.request("/v1/things", { method }), 405, "method_not_allowed");
      expect(res.headers.get("allow")).toBe("GET, HEAD, POST");
      expect(body.detail).toStartWith(`${method} is not supported here`);
    });
  }
  test("the refused method is never listed as allowed", async () => {
    const { res } = await problem(await app.request("/v1/things/x/touch", { method: "GET" }), 405, "method_not_allowed");
    expect(res.headers.get("allow")).toBe("POST");
  });
});

describe("integers in the URL are plain decimals", () => {
  for (const limit of ["0x10", "+1", "01", " 1", "1e1", "1.0", "", "-0", "0", "101", "99999999999999999999"]) {
    test(`limit=${JSON.stringify(limit)} → 400`, async () => {
      await problem(await app.request(`/v1/things?limit=${encodeURIComponent(limit)}`), 400, "invalid_parameter");
    });
  }
  test("limit=16 is 16; no limit is the default", async () => {
    expect(await (await app.request("/v1/things?limit=16")).json()).toEqual({ limit: 16 });
    expect(await (await app.request("/v1/things")).json()).toEqual({ limit: 20 });
  });
});

describe("an undeclared query parameter is refused on every operation", () => {
  test("on a list", async () => problem(await app.request("/v1/things?limt=5"), 400, "invalid_parameter"));
  test("on a bodiless POST", async () => problem(await app.request("/v1/things/x/touch?force=1", { method: "POST" }), 400, "invalid_parameter"));
  test("on a POST with a body", async () =>
    problem(
      await app.request("/v1/things?dry=1", { method: "POST", body: '{"n":1}', headers: { "content-type": "application/json" } }),
      400,
      "invalid_parameter",
    ));
  test("none at all is fine", async () => expect((await app.request("/v1/things/x/touch", { method: "POST" })).status).toBe(200));
});

describe("JSON bodies: the declared media type, UTF-8 only", () => {
  for (const ct of ["application/json; charset=utf-16", "application/json;charset=UTF-16LE", 'application/json; charset="iso-8859-1"']) {
    test(`${ct} → 415`, async () => {
      const { body } = await problem(await post(ct), 415, "unsupported_media_type");
      expect(body.detail).toContain("UTF-8");
    });
  }
  test("a body really in UTF-16 is not read as UTF-8", async () => {
    const utf16 = new Uint8Array([...'{"n":1}'].flatMap((ch) => [ch.charCodeAt(0), 0]));
    await problem(
      await app.request("/v1/things", { method: "POST", body: utf16, headers: { "content-type": "application/json; charset=utf-16le" } }),
      415,
      "unsupported_media_type",
    );
  });
  for (const ct of ["application/ld+json", "application/merge-patch+json", "text/json"]) {
    test(`${ct} (not declared) → 415`, async () => problem(await post(ct), 415, "unsupported_media_type"));
  }
  for (const ct of ["application/json", "application/json; charset=utf-8", 'Application/JSON; Charset="UTF-8"']) {
    test(`${ct} → accepted`, async () => {
      const res = await post(ct);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ n: 1 });
    });
  }
  test("operations without a body ignore the content type", async () => {
    const res = await app.request("/v1/things/x/touch", { method: "POST", headers: { "content-type": "application/json; charset=utf-16" } });
    expect(res.status).toBe(200);
  });
  test("jsonContentTypeProblem names the reason", () => {
    expect(jsonContentTypeProblem("application/json", ["application/json"])).toBeUndefined();
    expect(jsonContentTypeProblem("application/json; charset=utf-16", ["application/json"])).toContain("utf-16");
    expect(jsonContentTypeProblem("application/x+json", ["application/json"])).toContain("application/json");
  });
});
