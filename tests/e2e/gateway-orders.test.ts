// End to end through the gateway to a real orders process on PostgreSQL: customer B gets 404 for every one of A's orders, on every route.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { generateDevKeyPair } from "../../lib/auth/dev-keys.ts";
import { type ServiceProcess, startService } from "../../lib/testing/service-process.ts";
import { createTempDatabase } from "../../lib/testing/temp-database.ts";
import { gatewayHarness, type Harness } from "../../services/gateway/testing/harness.ts";

const order = (sku: string) => ({ currency: "EUR", items: [{ sku, quantity: 2, unitPriceCents: 1250 }] });

describe("cross-customer access through the gateway [postgres]", () => {
  let db: Awaited<ReturnType<typeof createTempDatabase>>;
  let orders: ServiceProcess;
  let h: Harness;
  beforeAll(async () => {
    const internalKeys = await generateDevKeyPair("gw-e2e");
    db = await createTempDatabase("gateway_e2e");
    orders = await startService(["bun", "services/orders/main.ts"], {
      DATABASE_URL: db.url,
      INTERNAL_AUTH_JWKS: JSON.stringify(internalKeys.jwks),
      OUTBOX_RELAY_ENABLED: "false",
      LOG_LEVEL: "warn",
      DRAIN_DELAY_MS: "0",
    });
    h = await gatewayHarness({ ordersUrl: orders.url, internalKeys });
  }, 60_000);
  afterAll(async () => {
    h?.close();
    await orders?.stop();
    await db?.drop();
  });

  const as = async (sub: string, scope = "orders:read orders:write") => {
    const auth = h.bearer(await h.token({ sub, scope }));
    return {
      get: (path: string) => h.gateway.request(path, { headers: auth }),
      post: (path: string, body?: unknown) =>
        h.gateway.request(path, {
          method: "POST",
          headers: { ...auth, "idempotency-key": crypto.randomUUID(), ...(body ? { "content-type": "application/json" } : {}) },
          body: body ? JSON.stringify(body) : undefined,
        }),
    };
  };

  test("A creates orders and reads them back; B gets 404 for each on every route and never sees them listed", async () => {
    const alice = await as("customer-a");
    const bob = await as("customer-b");
    const ids: string[] = [];
    for (const sku of ["BOOK-1", "BOOK-2", "BOOK-3"]) {
      const res = await alice.post("/v1/orders", order(sku));
      expect(res.status).toBe(201);
      const body = await res.json();
      expect(body.customerId).toBe("customer-a");
      ids.push(body.id);
    }
    const mine = await bob.post("/v1/orders", order("PEN-1"));
    expect(mine.status).toBe(201);

    for (const id of ids) {
      expect((await alice.get(`/v1/orders/${id}`)).status).toBe(200);
      const read = await bob.get(`/v1/orders/${id}`);
      expect(read.status).toBe(404);
      expect((await read.json()).code).toBe("not_found");
      const cancel = await bob.post(`/v1/orders/${id}/cancel`);
      expect(cancel.status).toBe(404);
    }
    const listed = await (await bob.get("/v1/orders?limit=100")).json();
    expect(listed.items.map((o: { id: string }) => o.id)).not.toContainAnyValues(ids);
    expect(listed.items).toHaveLength(1);
    // A's orders are untouched by B's attempts
    for (const id of ids) expect((await (await alice.get(`/v1/orders/${id}`)).json()).status).toBe("placed");
  }, 30_000);

  test("identity headers cannot make B into A", async () => {
    const alice = await as("customer-a");
    const [first] = (await (await alice.get("/v1/orders?limit=1")).json()).items;
    const res = await h.gateway.request(`/v1/orders/${first.id}`, {
      headers: { ...h.bearer(await h.token({ sub: "customer-b" })), "x-user-id": "customer-a", "x-forwarded-user": "customer-a", "x-internal-token": "x" },
    });
    expect(res.status).toBe(404);
  });
});
