// GET /v1/notifications through app.request on real PostgreSQL and PGlite: caller scoping, pagination, auth, bad input.
import { beforeAll, expect, test } from "bun:test";
import { encodeCursor } from "../../../lib/http/cursor.ts";
import { describeEachDatabase } from "../../../lib/testing/each-database.ts";
import { promtoolCheckMetrics } from "../../../lib/testing/promtool.ts";
import { ADMIN, notificationsFixture } from "../testing/fixture.ts";

async function problem(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toBe("application/problem+json");
  expect(res.headers.get("x-request-id")).toBeString();
  const body = await res.json();
  expect(body.code).toBe(code);
  return body;
}

describeEachDatabase("notifications API", (db) => {
  let f: Awaited<ReturnType<typeof notificationsFixture>>;
  beforeAll(async () => {
    f = await notificationsFixture(db());
  });

  test("the caller's notifications, newest first, with cursor pagination until nextCursor is null", async () => {
    const ids = await f.seed("pager", 5);
    const me = await f.client("pager");
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await me.get(`/v1/notifications?limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      expect(res.status).toBe(200);
      const page: { items: { id: string; customerId: string }[]; nextCursor: string | null } = await res.json();
      expect(page.items.length).toBeLessThanOrEqual(2);
      expect(page.items.every((n) => n.customerId === "pager")).toBe(true);
      seen.push(...page.items.map((n) => n.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());
    const one = (await (await me.get("/v1/notifications?limit=1")).json()).items[0];
    expect(one).toMatchObject({ id: ids[4], type: "order.placed", title: "Order placed", message: "order 4", channel: "log" });
    expect(Object.keys(one).sort()).toEqual(["channel", "createdAt", "customerId", "eventId", "eventTime", "id", "message", "orderId", "title", "type"]);
  });

  test("caller scoping: B never sees A's notifications, not even with A's cursor or the admin scope", async () => {
    await f.seed("cust-a", 3);
    const a = await f.client("cust-a");
    const b = await f.client("cust-b", ["notifications:read", "notifications:admin"]);
    const pageA = await (await a.get("/v1/notifications?limit=1")).json();
    expect(pageA.items).toHaveLength(1);
    expect((await (await b.get("/v1/notifications")).json()).items).toEqual([]);
    expect((await (await b.get(`/v1/notifications?cursor=${pageA.nextCursor}`)).json()).items).toEqual([]);
    expect((await (await a.get("/v1/notifications?limit=100")).json()).items.map((n: { customerId: string }) => n.customerId)).toEqual([
      "cust-a",
      "cust-a",
      "cust-a",
    ]);
  });

  test("no token → 401 with a Bearer challenge; a token without notifications:read → 403", async () => {
    const res = await f.app.request("/v1/notifications");
    await problem(res, 401, "unauthorized");
    expect(res.headers.get("www-authenticate")).toStartWith("Bearer");
    await problem(await (await f.client("x", ADMIN)).get("/v1/notifications"), 403, "insufficient_scope");
    await problem(await (await f.client("x", ["orders:read"])).get("/v1/notifications"), 403, "insufficient_scope");
  });

  test("bad limit, cursor or unknown parameter → 400 problem+json naming it", async () => {
    const me = await f.client("bad-input");
    for (const q of [
      "limit=0",
      "limit=101",
      "limit=abc",
      "cursor=%2F%2F",
      "cursor=nope",
      `cursor=${encodeCursor("d1", "5")}`,
      `cursor=${"a".repeat(65)}`,
      "status=x",
    ]) {
      const body = await problem(await me.get(`/v1/notifications?${q}`), 400, "invalid_parameter");
      expect(body.errors[0].path).toStartWith("query"); // query.<name>, or query for an unknown parameter
    }
  });

  test("probes and the contract are served", async () => {
    expect((await f.app.request("/healthz")).status).toBe(200);
    expect((await f.app.request("/readyz")).status).toBe(200);
    const doc = await (await f.app.request("/openapi.json")).json();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        "/v1/notifications",
        "/v1/notifications/dead-letters",
        "/v1/notifications/dead-letters/{seq}",
        "/v1/notifications/dead-letters/{seq}/replay",
        "/v1/notifications/dead-letters/replay",
      ]),
    );
  });

  test("GET /metrics: request metrics by route template (no customer or id in labels), valid for promtool", async () => {
    await f.seed("metrics-reader", 1);
    expect((await (await f.client("metrics-reader")).get("/v1/notifications?limit=1")).status).toBe(200);
    const res = await f.app.request("/metrics");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const text = await res.text();
    expect(text).toMatch(/http_requests_total\{method="GET",route="\/v1\/notifications",status="200"\} \d+/);
    expect(text).not.toContain("metrics-reader");
    expect(await promtoolCheckMetrics(text)).toEqual({ ok: true, output: "" });
  });
});
