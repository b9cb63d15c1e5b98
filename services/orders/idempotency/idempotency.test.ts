// Idempotency-Key behaviour on POST /v1/orders and /cancel, on real PostgreSQL and embedded PGlite.
import { beforeAll, expect, test } from "bun:test";
import { createRegistry } from "../../../lib/metrics/registry.ts";
import { describeEachDatabase } from "../../../lib/testing/each-database.ts";
import { sampleValue } from "../../../lib/testing/metrics-text.ts";
import { ordersFixture, sampleOrder } from "../testing/fixture.ts";

describeEachDatabase("Idempotency-Key", (db, { kind }) => {
  let f: Awaited<ReturnType<typeof ordersFixture>>;
  const metrics = createRegistry();
  const conflicts = () => sampleValue(metrics.render(), 'orders_idempotency_conflicts_total{reason="in_flight"}');
  beforeAll(async () => {
    f = await ordersFixture(db(), { metrics });
  });

  test("missing key → 400 idempotency_key_missing, nothing written", async () => {
    const c = await f.client("k1");
    const before = await f.counts();
    const res = await c.post("/v1/orders", sampleOrder(), null);
    expect(res.status).toBe(400);
    expect((await res.json()).code).toBe("idempotency_key_missing");
    expect((await c.post(`/v1/orders/${crypto.randomUUID()}/cancel`, undefined, null)).status).toBe(400);
    expect(await f.counts()).toEqual(before);
  });

  test("malformed keys → 400 idempotency_key_invalid", async () => {
    const c = await f.client("k1");
    for (const key of [
      "",
      "x".repeat(256),
      "has space",
      'quote"inside',
      "back\\slash",
      "ünïcode",
      '""',
      '"unterminated',
      '"bare"quote"',
      '"bad\\escape"',
      `"${"x".repeat(256)}"`,
    ]) {
      const res = await c.post("/v1/orders", sampleOrder(), key);
      expect({ key, status: res.status, code: (await res.json()).code }).toEqual({ key, status: 400, code: "idempotency_key_invalid" });
    }
  });

  test("a quoted Structured Field key and the bare key are the same key", async () => {
    const c = await f.client("k-sf");
    const first = await c.post("/v1/orders", sampleOrder(), '"sf-key-1"');
    const second = await c.post("/v1/orders", sampleOrder(), "sf-key-1");
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    expect(await second.text()).toBe(await first.text());
  });

  test("a Structured Field string with escapes is accepted (as the contract's pattern allows) and names its unescaped content", async () => {
    const c = await f.client("k-sf-escape");
    const first = await c.post("/v1/orders", sampleOrder(), '"a\\"b\\\\c d"');
    expect(first.status).toBe(201);
    const [row] = await db()`SELECT key FROM idempotency_keys WHERE customer_id = 'k-sf-escape'`;
    expect(row?.key).toBe('a"b\\c d');
    const again = await c.post("/v1/orders", sampleOrder(), '"a\\"b\\\\c d"');
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(await again.text()).toBe(await first.text());
    const longest = await c.post("/v1/orders", sampleOrder(), `"${'\\"'.repeat(255)}"`);
    expect(longest.status).toBe(201);
  });

  test("same key + same body → stored status and body byte for byte, Idempotent-Replayed, no second order", async () => {
    const c = await f.client("k2");
    const key = crypto.randomUUID();
    const first = await c.post("/v1/orders", sampleOrder(), key);
    expect(first.status).toBe(201);
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    const firstBody = await first.text();
    const before = await f.counts();
    // Same content, different key order and whitespace: the same request.
    const reordered = `{ "items": [{"unitPriceCents":1250,"quantity":2,"sku":"BOOK-42"},{"sku":"PEN-1","quantity":1,"unitPriceCents":199}], "currency":"EUR" }`;
    for (const body of [sampleOrder(), reordered]) {
      const again = await c.post("/v1/orders", body, key);
      expect(again.status).toBe(201);
      expect(again.headers.get("idempotent-replayed")).toBe("true");
      expect(await again.text()).toBe(firstBody);
    }
    expect(await f.counts()).toEqual(before);
  });

  test("same key + different body → 422 idempotency_key_reused; same key on another operation too", async () => {
    const c = await f.client("k3");
    const key = crypto.randomUUID();
    const order = await (await c.post("/v1/orders", sampleOrder(), key)).json();
    const before = await f.counts();
    const res = await c.post("/v1/orders", { ...sampleOrder(), currency: "USD" }, key);
    expect(res.status).toBe(422);
    expect((await res.json()).code).toBe("idempotency_key_reused");
    expect((await c.post(`/v1/orders/${order.id}/cancel`, undefined, key)).status).toBe(422);
    expect(await f.counts()).toEqual(before);
  });

  test("keys are scoped per caller: another customer's same key makes a new order", async () => {
    const key = crypto.randomUUID();
    const a = await (await (await f.client("scope-a")).post("/v1/orders", sampleOrder(), key)).json();
    const resB = await (await f.client("scope-b")).post("/v1/orders", sampleOrder(), key);
    expect(resB.status).toBe(201);
    expect(resB.headers.get("idempotent-replayed")).toBeNull();
    const b = await resB.json();
    expect(b.id).not.toBe(a.id);
    expect(b.customerId).toBe("scope-b");
  });

  test("rolled-back work stores nothing: the key is free after a 404 or 409", async () => {
    const c = await f.client("k4");
    const key = crypto.randomUUID();
    expect((await c.post(`/v1/orders/${crypto.randomUUID()}/cancel`, undefined, key)).status).toBe(404);
    const order = await (await c.post("/v1/orders", sampleOrder(), key)).json();
    expect(order.status).toBe("placed");

    await c.post(`/v1/orders/${order.id}/cancel`);
    const key2 = crypto.randomUUID();
    expect((await c.post(`/v1/orders/${order.id}/cancel`, undefined, key2)).status).toBe(409);
    const [row] = await db()`SELECT count(*)::int AS n FROM idempotency_keys WHERE key = ${key2}`;
    expect(row?.n).toBe(0);
  });

  test("cancel replays its stored 200 with the same key", async () => {
    const c = await f.client("k5");
    const order = await (await c.post("/v1/orders", sampleOrder())).json();
    const key = crypto.randomUUID();
    const first = await c.post(`/v1/orders/${order.id}/cancel`, undefined, key);
    const again = await c.post(`/v1/orders/${order.id}/cancel`, undefined, key);
    expect(again.status).toBe(200);
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(await again.text()).toBe(await first.text());
  });

  test("an expired key no longer replays: the request runs again", async () => {
    const c = await f.client("k6");
    const key = crypto.randomUUID();
    const first = await (await c.post("/v1/orders", sampleOrder(), key)).json();
    await db()`UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE customer_id = 'k6' AND key = ${key}`;
    const res = await c.post("/v1/orders", { ...sampleOrder(), currency: "USD" }, key);
    expect(res.status).toBe(201);
    expect((await res.json()).id).not.toBe(first.id);
  });

  // Needs a second session to hold the lock; the embedded PGlite server has only one connection.
  if (kind === "postgres")
    test("same key while the first is in flight → 409 with Retry-After", async () => {
      const c = await f.client("k7");
      const key = crypto.randomUUID();
      // Hold the key's lock from another session, exactly as a running first request does.
      const conn = await db().reserve();
      try {
        await conn`SELECT pg_advisory_lock(hashtextextended(${"k7"} || chr(31) || ${key}, 4242))`;
        const before = conflicts();
        const res = await c.post("/v1/orders", sampleOrder(), key);
        expect(res.status).toBe(409);
        expect(conflicts()).toBe(before + 1);
        expect(res.headers.get("retry-after")).toBe("1");
        expect((await res.json()).code).toBe("idempotency_key_in_flight");
      } finally {
        await conn`SELECT pg_advisory_unlock_all()`;
        conn.release();
      }
      expect((await c.post("/v1/orders", sampleOrder(), key)).status).toBe(201);
    });

  test("200 keys × 10 concurrent identical POSTs → exactly 200 orders and outbox rows, identical 201 bodies per key, no 5xx", async () => {
    const c = await f.client(`burst-${kind}`);
    const before = await f.counts();
    const keys = Array.from({ length: 200 }, () => crypto.randomUUID());
    const results = await Promise.all(
      keys.flatMap((key) =>
        Array.from({ length: 10 }, async () => {
          const res = await c.post("/v1/orders", sampleOrder(), key);
          return { key, status: res.status, body: await res.text() };
        }),
      ),
    );
    expect(results.filter((r) => r.status >= 500)).toEqual([]);
    expect(results.every((r) => r.status === 201 || r.status === 409)).toBe(true);
    const bodies = new Map<string, Set<string>>();
    for (const r of results.filter((r) => r.status === 201)) bodies.set(r.key, (bodies.get(r.key) ?? new Set()).add(r.body));
    expect(bodies.size).toBe(200);
    expect([...bodies.values()].every((s) => s.size === 1)).toBe(true);
    const after = await f.counts();
    expect(after.orders - before.orders).toBe(200);
    expect(after.outbox - before.outbox).toBe(200);
    const [row] = await db()`SELECT count(*)::int AS n FROM orders WHERE customer_id = ${`burst-${kind}`}`;
    expect(row?.n).toBe(200);
  });
});
