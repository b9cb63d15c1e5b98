// GET /metrics of the orders app: valid for promtool, and bounded: many order ids add no series.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { describeEachDatabase } from "../../lib/db/testing.ts";
import { type ProcessMetrics, startProcessMetrics } from "../../lib/metrics/process-metrics.ts";
import { createRegistry } from "../../lib/metrics/registry.ts";
import { promtoolCheckMetrics } from "../../lib/testing/promtool.ts";
import { ordersFixture, sampleOrder } from "./test-fixture.ts";

/** Sample lines (one per series, or per bucket of a histogram series) in exposition text. */
const seriesOf = (text: string) => text.split("\n").filter((l) => l !== "" && !l.startsWith("#"));

describeEachDatabase("orders /metrics", (db) => {
  let f: Awaited<ReturnType<typeof ordersFixture>>;
  let pm: ProcessMetrics;
  beforeAll(async () => {
    const metrics = createRegistry();
    pm = startProcessMetrics(metrics); // as start.ts does
    f = await ordersFixture(db(), { metrics });
  });
  afterAll(() => pm.stop());

  const scrape = async () => {
    const res = await f.app.request("/metrics");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    return res.text();
  };

  test("after real traffic, promtool check metrics accepts the output", async () => {
    const alice = await f.client("alice");
    const placed = await alice.post("/v1/orders", sampleOrder());
    expect(placed.status).toBe(201);
    const { id } = await placed.json();
    expect((await alice.get(`/v1/orders/${id}`)).status).toBe(200);
    expect((await alice.get("/v1/orders?limit=5")).status).toBe(200);
    expect((await alice.post(`/v1/orders/${id}/cancel`)).status).toBe(200);
    expect((await f.app.request("/v1/orders")).status).toBe(401);
    expect((await f.app.request("/healthz")).status).toBe(200);
    expect((await f.app.request("/no/such/path")).status).toBe(404);

    const text = await scrape();
    for (const name of [
      "http_requests_total",
      "http_request_duration_seconds",
      "http_requests_in_flight",
      "process_resident_memory_bytes",
      "process_event_loop_lag_seconds",
    ])
      expect(text).toContain(`# TYPE ${name} `);
    expect(text).toContain('http_requests_total{method="GET",route="/v1/orders/:id",status="200"} 1');
    expect(text).toContain('http_requests_total{method="GET",route="unmatched",status="404"} 1');
    expect(text).not.toContain(id);
    const result = await promtoolCheckMetrics(text);
    expect(result.output).toBe("");
    expect(result.ok).toBe(true);
  });

  test("1,000 requests for 1,000 different order ids add no series", async () => {
    const bob = await f.client("bob");
    // Warm up every (route, status) this test produces, so "before" already holds their series.
    const { id } = await (await bob.post("/v1/orders", sampleOrder())).json();
    expect((await bob.get(`/v1/orders/${id}`)).status).toBe(200);
    expect((await bob.get(`/v1/orders/${crypto.randomUUID()}`)).status).toBe(404);
    await scrape();

    const before = seriesOf(await scrape()).length;
    for (let i = 0; i < 1000; i++) {
      const res = await bob.get(`/v1/orders/${i % 10 === 0 ? id : crypto.randomUUID()}`);
      expect(res.status).toBe(i % 10 === 0 ? 200 : 404);
    }
    const text = await scrape();
    expect(seriesOf(text).length).toBe(before);
    expect(text).toMatch(/http_requests_total\{method="GET",route="\/v1\/orders\/:id",status="404"\} 90\d/);
  }, 60_000);
});
