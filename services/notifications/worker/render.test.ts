// Rendering: the notification a customer gets for each event type, with amounts in the currency's own minor unit.
import { expect, test } from "bun:test";
import { orderCancelled, orderPlaced } from "../testing/events.ts";
import { formatMoney, renderNotification } from "./render.ts";

test("amounts use the currency's minor unit; an unknown code is shown plainly", () => {
  expect([formatMoney(2699, "EUR"), formatMoney(2699, "JPY"), formatMoney(2699, "BHD"), formatMoney(5, "usd")]).toEqual([
    "€26.99",
    "¥2,699",
    "BHD\u00a02.699",
    "$0.05",
  ]);
  expect(formatMoney(12, "EURO")).toBe("12 EURO (minor units)");
});

test("order.placed and order.cancelled: title, message, and the fields a receiver needs", () => {
  const placed = orderPlaced("alice");
  expect(renderNotification(placed)).toEqual({
    eventId: placed.id,
    type: "order.placed",
    customerId: "alice",
    orderId: placed.data.orderId,
    occurredAt: placed.time,
    data: placed.data,
    title: "Order placed",
    message: `Your order ${placed.data.orderId} (3 items, €26.99) was placed.`,
  });
  const cancelled = orderCancelled("bob");
  expect(renderNotification(cancelled)).toMatchObject({
    type: "order.cancelled",
    customerId: "bob",
    title: "Order cancelled",
    message: `Your order ${cancelled.data.orderId} was cancelled.`,
  });
});
