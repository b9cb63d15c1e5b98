// HTTP metrics through createServiceApp and app.request: labels by route template, bounded methods, in-flight, /metrics itself.
import { describe, expect, test } from "bun:test";
import { silentLogger } from "../logging/logger.ts";
import { createRegistry } from "../metrics/registry.ts";
import { promtoolCheckMetrics } from "../testing/promtool.ts";
import { createServiceApp } from "./create-app.ts";
import { registerMetricsRoute } from "./metrics-route.ts";

function appWithMetrics() {
  const registry = createRegistry();
  const app = createServiceApp({ log: silentLogger, metrics: { registry, durationBuckets: [0.01, 0.1, 1] } });
  registerMetricsRoute(app, registry);
  app.get("/v1/things/:id", (c) => c.json({ id: c.req.param("id") }));
  app.post("/v1/things", (c) => c.json({}, 201));
  app.get("/v1/boom", () => {
    throw new Error("boom");
  });
  let release: () => void = () => {};
  app.get("/v1/slow", async (c) => {
    await new Promise<void>((r) => {
      release = r;
    });
    return c.text("done");
  });
  return { app, registry, release: () => release() };
}

const sampleLines = (text: string, name: string) => text.split("\n").filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));

describe("http metrics", () => {
  test("requests are counted by method, route template and status; raw paths and ids never appear", async () => {
    const { app, registry } = appWithMetrics();
    await app.request("/v1/things/a1");
    await app.request("/v1/things/b2");
    await app.request("/v1/things", { method: "POST" });
    await app.request("/v1/nowhere/c3");
    await app.request("/v1/things", { method: "DELETE" }); // 405 from notFound: unmatched too
    await app.request("/v1/boom");
    const text = registry.render();
    expect(sampleLines(text, "http_requests_total")).toEqual([
      'http_requests_total{method="GET",route="/v1/things/:id",status="200"} 2',
      'http_requests_total{method="POST",route="/v1/things",status="201"} 1',
      'http_requests_total{method="GET",route="unmatched",status="404"} 1',
      'http_requests_total{method="DELETE",route="unmatched",status="405"} 1',
      'http_requests_total{method="GET",route="/v1/boom",status="500"} 1',
    ]);
    expect(text).toContain('http_request_duration_seconds_count{method="GET",route="/v1/things/:id"} 2');
    expect(text).not.toMatch(/a1|b2|c3|nowhere/);
  });

  test("methods outside the standard set read 'other', so clients cannot mint label values", async () => {
    const { app, registry } = appWithMetrics();
    await app.request("/v1/things/x", { method: "PROPFIND" });
    expect(registry.render()).toContain('http_requests_total{method="other",route="unmatched",status="405"} 1');
  });

  test("in-flight counts requests being answered and returns to zero", async () => {
    const { app, registry, release } = appWithMetrics();
    const pending = app.request("/v1/slow");
    await Bun.sleep(5);
    expect(registry.render()).toContain("\nhttp_requests_in_flight 1\n");
    release();
    expect((await pending).status).toBe(200);
    expect(registry.render()).toContain("\nhttp_requests_in_flight 0\n");
  });

  test("GET /metrics serves text format 0.0.4 that promtool accepts, and is counted under its own template", async () => {
    const { app } = appWithMetrics();
    await app.request("/v1/things/a1");
    await app.request("/metrics");
    const res = await app.request("/metrics");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const text = await res.text();
    expect(text).toContain('http_requests_total{method="GET",route="/metrics",status="200"} 1');
    expect(await promtoolCheckMetrics(text)).toEqual({ ok: true, output: "" });
  });

  test("an app without the metrics option records nothing and serves no /metrics", async () => {
    const app = createServiceApp({ log: silentLogger });
    expect((await app.request("/metrics")).status).toBe(404);
  });
});
