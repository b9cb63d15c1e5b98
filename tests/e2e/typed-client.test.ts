// The typed client (clients/typescript) against a real gateway over HTTP, in front of real orders and notifications processes on a real broker.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { allItems, createPlatformClient, isProblem, type PlatformClient, ProblemError, type Schema, unwrap } from "../../clients/typescript/src/index.ts";
import { generateDevKeyPair } from "../../lib/auth/dev-keys.ts";
import { until } from "../../lib/testing/nats-server.ts";
import { gatewayHarness, type Harness } from "../../services/gateway/testing/harness.ts";
import { type Pipeline, startPipeline } from "../pipeline/harness.ts";

type Order = Schema<"Order">;
type Notification = Schema<"Notification">;

describe("typed client through the gateway [postgres] [nats]", () => {
  let pipeline: Pipeline;
  let h: Harness;
  let server: ReturnType<typeof Bun.serve>;
  const clientFor = (sub: string | undefined, scope = "orders:read orders:write notifications:read"): PlatformClient =>
    createPlatformClient({ baseUrl: `http://127.0.0.1:${server.port}`, token: async () => (sub ? h.token({ sub, scope }) : undefined) });
  const key = () => ({ header: { "idempotency-key": crypto.randomUUID() } });

  beforeAll(async () => {
    const internalKeys = await generateDevKeyPair("gw-typed-client");
    const jwks = { INTERNAL_AUTH_JWKS: JSON.stringify(internalKeys.jwks), LOG_LEVEL: "warn" };
    pipeline = await startPipeline("jetstream", "typed_client");
    const [orders, notifications] = await Promise.all([pipeline.startOrders(jwks), pipeline.startNotifications(jwks)]);
    h = await gatewayHarness({ ordersUrl: orders.url, internalKeys, env: { NOTIFICATIONS_URL: notifications.url } });
    // The gateway as a listener: the client speaks real HTTP to it, as a frontend would.
    server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: (req, srv) => h.gateway.fetch(req, srv.requestIP(req)?.address) });
  }, 90_000);
  afterAll(async () => {
    await server?.stop(true);
    h?.close();
    await pipeline?.close();
  });

  const created: Order[] = [];

  test("create, list page by page with the cursor, get: every answer typed by the contract", async () => {
    const alice = clientFor("customer-a");
    for (const sku of ["BOOK-1", "BOOK-2", "BOOK-3"]) {
      const { data, error, response } = await alice.POST("/v1/orders", {
        params: key(),
        body: { currency: "EUR", items: [{ sku, quantity: 2, unitPriceCents: 1250 }] },
      });
      expect(error).toBeUndefined();
      expect(response.status).toBe(201);
      expect(data?.customerId).toBe("customer-a");
      expect(data?.totalCents).toBe(2500);
      created.push(data as Order);
    }

    const first = await unwrap(alice.GET("/v1/orders", { params: { query: { limit: 2 } } }));
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).toBeString();
    const second = await unwrap(alice.GET("/v1/orders", { params: { query: { limit: 2, cursor: first.nextCursor ?? undefined } } }));
    expect(second.items).toHaveLength(1);
    expect(second.nextCursor).toBeNull();

    const ids: string[] = [];
    for await (const order of allItems((cursor) => unwrap(alice.GET("/v1/orders", { params: { query: { limit: 2, cursor } } })))) ids.push(order.id);
    expect(ids.toSorted()).toEqual(created.map((o) => o.id).toSorted());
    expect([...first.items, ...second.items].map((o) => o.id).toSorted()).toEqual(ids.toSorted());

    const one = await unwrap(alice.GET("/v1/orders/{id}", { params: { path: { id: created[0]?.id as string } } }));
    expect(one.status).toBe("placed");
    expect(one.items[0]?.sku).toBe("BOOK-1");
  }, 30_000);

  test("cancel, then problem+json by code: a second cancel, another customer's order, no token, an invalid body", async () => {
    const alice = clientFor("customer-a");
    const target = created[2]?.id as string;
    const cancelled = await unwrap(alice.POST("/v1/orders/{id}/cancel", { params: { path: { id: target }, ...key() } }));
    expect(cancelled.status).toBe("cancelled");

    const again = await alice.POST("/v1/orders/{id}/cancel", { params: { path: { id: target }, ...key() } });
    expect(again.response.status).toBe(409);
    expect(isProblem(again.error)).toBe(true);
    expect(again.error?.code).toBe("invalid_state_transition");
    expect(again.response.headers.get("content-type")).toStartWith("application/problem+json");

    const bob = clientFor("customer-b");
    const stranger = await unwrap(bob.GET("/v1/orders/{id}", { params: { path: { id: target } } })).catch((e: unknown) => e);
    expect(stranger).toBeInstanceOf(ProblemError);
    expect((stranger as ProblemError).code).toBe("not_found");
    expect((stranger as ProblemError).problem.status).toBe(404);

    const anonymous = await clientFor(undefined).GET("/v1/orders", { params: { query: {} } });
    expect(anonymous.response.status).toBe(401);
    expect(anonymous.error?.code).toBe("unauthorized");

    // The types refuse this body at compile time; a client built without them still gets a typed problem.
    const invalid = await alice.POST("/v1/orders", { params: key(), body: { currency: "EUR", items: [] } as never });
    expect(invalid.response.status).toBe(422);
    expect(invalid.error?.code).toBe("validation_failed");
    expect(invalid.error?.errors?.length).toBeGreaterThan(0);
  }, 30_000);

  test("notifications of the customer's orders arrive through the broker and page with the cursor", async () => {
    const alice = clientFor("customer-a");
    const seen: Notification[] = [];
    await until(
      async () => {
        seen.length = 0;
        for await (const n of allItems((cursor) => unwrap(alice.GET("/v1/notifications", { params: { query: { limit: 2, cursor } } })))) seen.push(n);
        return seen.length >= 4;
      },
      20_000,
      "4 notifications for customer-a (3 placed, 1 cancelled)",
    );
    expect(seen).toHaveLength(4);
    expect(seen.every((n) => n.customerId === "customer-a")).toBe(true);
    expect(
      seen
        .filter((n) => n.type === "order.placed")
        .map((n) => n.orderId)
        .toSorted(),
    ).toEqual(created.map((o) => o.id).toSorted());
    expect(seen.filter((n) => n.type === "order.cancelled").map((n) => n.orderId)).toEqual([created[2]?.id as string]);

    const orderScopeOnly = await clientFor("customer-a", "orders:read").GET("/v1/notifications", { params: { query: {} } });
    expect(orderScopeOnly.response.status).toBe(403);
    expect(orderScopeOnly.error?.code).toBe("insufficient_scope");
  }, 40_000);
});
