// The broker away at start: orders and notifications start and serve, the order's event arrives once nats-server is started.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { until } from "../../lib/testing/nats-server.ts";
import { ordersClient } from "./clients.ts";
import { logLines, type Pipeline, startPipeline } from "./harness.ts";

describe("pipeline started while NATS is down [postgres, jetstream]", () => {
  let p: Pipeline;
  beforeAll(async () => {
    p = await startPipeline("jetstream", "pl_late");
  }, 30_000);
  afterAll(async () => p?.close());

  test("both services start and are ready without NATS; an order placed meanwhile is notified once the server starts", async () => {
    const nats = p.nats as NonNullable<Pipeline["nats"]>;
    await nats.kill9();
    const [orders, notifications] = await Promise.all([p.startOrders(), p.startNotifications()]);
    for (const svc of [orders, notifications]) {
      const ready = await fetch(`${svc.url}/readyz`);
      const body = (await ready.json()) as { status: string; checks: Record<string, string> };
      expect(ready.status).toBe(200);
      expect(body.checks.database).toBe("ok");
      expect(body.checks.broker).not.toBe("ok");
    }
    const placed = await ordersClient(orders.url, p.mint).placeOrder("late-customer");
    expect(placed.attempts).toBe(1);
    expect(await p.unpublished()).toBe(1);

    // The relay's setup has failed at least once (its first attempt waits 5 s for a connection): the detail says why.
    let detail = "";
    await until(
      async () => {
        detail = ((await (await fetch(`${orders.url}/readyz`)).json()) as { checks: Record<string, string> }).checks.relay ?? "";
        return detail.startsWith("stream ORDERS unavailable");
      },
      15_000,
      "the relay reports the stream unavailable",
    );
    expect(detail).toContain("NATS not reachable");
    await nats.start();
    const c = await p.waitFor("the event notified", (x) => x.notifications === 1, 20_000);
    expect(c).toMatchObject({ orders: 1, outbox: 1, unpublished: 0, stream: 1, notifications: 1 });
    expect(await (await fetch(`${orders.url}/readyz`)).json()).toMatchObject({ checks: { broker: "ok", relay: "ok" } });
    expect(await (await fetch(`${notifications.url}/readyz`)).json()).toMatchObject({ checks: { broker: "ok", consumer: "ok" } });
    expect(await orders.stop()).toBe(0);
    expect(await notifications.stop()).toBe(0);
    // One line when the broker was found missing and one when the setup was done: no flood while it was away.
    expect(logLines(orders, "broker not ready; retrying in the background")).toBeGreaterThanOrEqual(1);
    expect(logLines(orders, "broker setup done")).toBe(1);
    expect(logLines(notifications, "broker setup done")).toBe(1);
    expect(orders.output()).not.toContain("jetstream is not enabled");
    expect(orders.output()).toContain("stream ORDERS unavailable");
  }, 60_000);
});
