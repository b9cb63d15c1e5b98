import { describe, expect, test } from "bun:test";
import { createRoute, z } from "@hono/zod-openapi";
import { createLogger } from "../logging/logger.ts";
import { createServiceApp } from "./create-app.ts";

const lines: Record<string, unknown>[] = [];
const log = createLogger({ service: "test", level: "debug", sink: (l) => lines.push(JSON.parse(l)) });
const app = createServiceApp({ log, bodyLimitBytes: 2048 });

const Thing = z.strictObject({ name: z.string().min(1), n: z.number().int().min(0) });
app.openapi(
  createRoute({
    method: "post",
    path: "/v1/things/{id}",
    request: { params: z.object({ id: z.uuid() }), body: { required: true, content: { "application/json": { schema: Thing } } } },
    responses: { 201: { description: "ok", content: { "application/json": { schema: Thing } } } },
  }),
  (c) => c.json(c.req.valid("json"), 201),
);
app.get("/v1/boom", () => {
  throw new Error("secret internals at /srv/app.ts:42");
});

const ID = "0192f1b4-7c1e-7000-8000-000000000001";
const post = (body: string, headers: Record<string, string> = { "content-type": "application/json" }, id = ID) =>
  app.request(`/v1/things/${id}`, { method: "POST", body, headers });

async function problem(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  const body = await res.json();
  expect(body.code).toBe(code);
  expect(body.status).toBe(status);
  expect(body.type).toBe(`urn:problem-type:${code}`);
  return body;
}

describe("createServiceApp", () => {
  test("valid request passes; X-Request-ID generated and returned", async () => {
    const res = await post(JSON.stringify({ name: "a", n: 1 }));
    expect(res.status).toBe(201);
    expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  test("a safe incoming X-Request-ID is kept, an unsafe one replaced", async () => {
    const kept = await app.request("/v1/nothing", { headers: { "x-request-id": "abc-123" } });
    expect(kept.headers.get("x-request-id")).toBe("abc-123");
    const replaced = await app.request("/v1/nothing", { headers: { "x-request-id": "bad\tid<script>" } });
    expect(replaced.headers.get("x-request-id")).not.toContain("<");
  });

  test("malformed JSON → 400 invalid_json", async () => problem(await post("{nope"), 400, "invalid_json"));
  test("wrong content type → 415", async () => problem(await post("name=a", { "content-type": "text/plain" }), 415, "unsupported_media_type"));
  test("oversized body → 413", async () => problem(await post(JSON.stringify({ name: "x".repeat(4000), n: 1 })), 413, "payload_too_large"));
  test("unknown field → 422 naming it", async () => {
    const body = await problem(await post(JSON.stringify({ name: "a", n: 1, admin: true })), 422, "validation_failed");
    expect(JSON.stringify(body.errors)).toContain("admin");
  });
  test("negative number → 422 with the field path", async () => {
    const body = await problem(await post(JSON.stringify({ name: "a", n: -1 })), 422, "validation_failed");
    expect(body.errors[0].path).toBe("body.n");
  });
  test("bad uuid in path → 400 invalid_parameter", async () => problem(await post("{}", undefined, "not-a-uuid"), 400, "invalid_parameter"));
  test("unknown path → 404 not_found", async () => problem(await app.request("/v1/nothing"), 404, "not_found"));
  test("known path, wrong method → 405 with Allow", async () => {
    const res = await app.request(`/v1/things/${ID}`, { method: "DELETE" });
    await problem(res, 405, "method_not_allowed");
    expect(res.headers.get("allow")).toBe("POST");
  });

  test("unknown error → 500 generic body, details only in the log", async () => {
    lines.length = 0;
    const res = await app.request("/v1/boom");
    const body = await problem(res, 500, "internal_error");
    expect(JSON.stringify(body)).not.toContain("secret internals");
    expect(lines.some((l) => l.level === "error" && String(l.err).includes("secret internals"))).toBe(true);
  });

  test("access log: one line per request with route template, status, trace ids from traceparent", async () => {
    lines.length = 0;
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    await app.request(`/v1/things/${ID}`, {
      method: "POST",
      body: JSON.stringify({ name: "a", n: 1 }),
      headers: { "content-type": "application/json", traceparent: `00-${traceId}-00f067aa0ba902b7-01`, authorization: "Bearer secret-token", cookie: "sid=1" },
    });
    const access = lines.filter((l) => l.msg === "request");
    expect(access).toHaveLength(1);
    const line = access[0] as Record<string, unknown>;
    expect(line.route).toBe("/v1/things/:id");
    expect(line.status).toBe(201);
    expect(line.trace_id).toBe(traceId);
    expect(line.span_id).toMatch(/^[0-9a-f]{16}$/);
    expect(line.request_id).toBeString();
    expect(typeof line.duration_ms).toBe("number");
    expect(JSON.stringify(lines)).not.toContain("secret-token");
  });
});
