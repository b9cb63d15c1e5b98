// The /v1/orders API end to end through app.request, on real PostgreSQL and on embedded PGlite.
import { beforeAll, expect, test } from "bun:test";
import { describeEachDatabase } from "../../../lib/testing/each-database.ts";
import { ordersFixture, sampleOrder } from "../testing/fixture.ts";

describeEachDatabase("orders API", (db) => {
  let f: Awaited<ReturnType<typeof ordersFixture>>;
  beforeAll(async () => {
    f = await ordersFixture(db());
  });

  test("place → 201 with priced order; get and list return it; outbox holds order.placed with trace context", async () => {
    const alice = await f.client("alice");
    const traceId = "0af7651916cd43dd8448eb211c80319c";
    const res = await alice.post("/v1/orders", sampleOrder(), crypto.randomUUID(), { traceparent: `00-${traceId}-b7ad6b7169203331-01` });
    expect(res.status).toBe(201);
    const order = await res.json();
    expect(order).toMatchObject({ customerId: "alice", status: "placed", currency: "EUR", totalCents: 2699, cancelledAt: null });
    expect(order.items[0]).toEqual({ sku: "BOOK-42", quantity: 2, unitPriceCents: 1250, lineTotalCents: 2500 });
    expect(res.headers.get("location")).toBe(`/v1/orders/${order.id}`);

    const got = await alice.get(`/v1/orders/${order.id}`);
    expect(got.status).toBe(200);
    expect(await got.json()).toEqual(order);

    const [row] = await db()`SELECT subject, payload, headers, published_at, attempts FROM outbox WHERE payload->'data'->>'orderId' = ${order.id}`;
    expect(row?.subject).toBe("orders.placed");
    expect(row?.payload).toMatchObject({ specversion: "1.0", type: "order.placed", source: "orders", data: { orderId: order.id, totalCents: 2699 } });
    expect(row?.headers.traceparent).toStartWith(`00-${traceId}-`);
    expect(row?.published_at).toBeNull();
    expect(row?.attempts).toBe(0);
  });

  test("a replayed 201 names the same order in Location; cancel (200) carries none", async () => {
    const carol = await f.client("carol-location");
    const key = crypto.randomUUID();
    const first = await carol.post("/v1/orders", sampleOrder(), key);
    const { id } = await first.json();
    const replay = await carol.post("/v1/orders", sampleOrder(), key);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(replay.headers.get("location")).toBe(`/v1/orders/${id}`);
    const cancel = await carol.post(`/v1/orders/${id}/cancel`);
    expect(cancel.status).toBe(200);
    expect(cancel.headers.get("location")).toBeNull();
  });

  test("list: newest first, cursor pagination, status filter, limit bounds", async () => {
    const bob = await f.client("bob-list");
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await (await bob.post("/v1/orders", sampleOrder(`SKU-${i}`))).json()).id);
    await bob.post(`/v1/orders/${ids[0]}/cancel`);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { id: string }[]; nextCursor: string | null } = await (
        await bob.get(`/v1/orders?limit=2${cursor ? `&cursor=${cursor}` : ""}`)
      ).json();
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((o) => o.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...ids].reverse());

    const cancelled = await (await bob.get("/v1/orders?status=cancelled")).json();
    expect(cancelled.items.map((o: { id: string }) => o.id)).toEqual([ids[0]]);
    expect((await bob.get("/v1/orders?limit=101")).status).toBe(400);
    expect((await bob.get("/v1/orders?limit=0")).status).toBe(400);
  });

  test("cancel: placed → cancelled with order.cancelled in the outbox; again → 409", async () => {
    const carol = await f.client("carol");
    const order = await (await carol.post("/v1/orders", sampleOrder())).json();
    const res = await carol.post(`/v1/orders/${order.id}/cancel`);
    expect(res.status).toBe(200);
    const cancelled = await res.json();
    expect(cancelled.status).toBe("cancelled");
    expect(cancelled.cancelledAt).toBeString();
    const [ev] = await db()`SELECT payload FROM outbox WHERE subject = 'orders.cancelled' AND payload->'data'->>'orderId' = ${order.id}`;
    expect(ev?.payload.data.customerId).toBe("carol");

    const before = await f.counts();
    const again = await carol.post(`/v1/orders/${order.id}/cancel`);
    expect(again.status).toBe(409);
    expect((await again.json()).code).toBe("invalid_state_transition");
    expect(await f.counts()).toEqual(before);
  });

  test("cross-customer: B gets 404 for A's order on every route and never sees it listed; admin reads all", async () => {
    const a = await f.client("cust-a");
    const b = await f.client("cust-b");
    const order = await (await a.post("/v1/orders", sampleOrder())).json();

    for (const res of [await b.get(`/v1/orders/${order.id}`), await b.post(`/v1/orders/${order.id}/cancel`)]) {
      expect(res.status).toBe(404);
      const body = await res.json();
      expect(body.code).toBe("not_found");
      expect(JSON.stringify(body)).not.toContain("cust-a");
    }
    const list = await (await b.get("/v1/orders?limit=100")).json();
    expect(list.items.some((o: { id: string }) => o.id === order.id)).toBe(false);
    expect((await (await a.get(`/v1/orders/${order.id}`)).json()).status).toBe("placed");

    const admin = await f.client("ops", ["orders:read", "orders:admin"]);
    expect((await admin.get(`/v1/orders/${order.id}`)).status).toBe(200);
    const all = await (await admin.get("/v1/orders?limit=100")).json();
    expect(all.items.some((o: { id: string }) => o.id === order.id)).toBe(true);
  });

  test("scopes: read-only token cannot place or cancel (403); no token → 401", async () => {
    const reader = await f.client("reader", ["orders:read"]);
    expect((await reader.post("/v1/orders", sampleOrder())).status).toBe(403);
    const anon = await f.app.request("/v1/orders");
    expect(anon.status).toBe(401);
    expect(anon.headers.get("www-authenticate")).toStartWith("Bearer");
  });
});
