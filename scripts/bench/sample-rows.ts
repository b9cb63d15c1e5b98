// The values pgbench writes per order, built the way POST /v1/orders builds them, so both sides store the same bytes.
import { createEnvelope } from "../../lib/events/envelope.ts";
import { ORDER_PLACED } from "../../lib/events/order-events.ts";

export const BENCH_CUSTOMER = "bench-customer";

/** The request body wrk sends (scripts/bench/orders.lua has the same literal). */
export const ORDER_BODY = {
  currency: "EUR",
  items: [
    { sku: "BOOK-42", quantity: 2, unitPriceCents: 1250 },
    { sku: "PEN-1", quantity: 1, unitPriceCents: 199 },
  ],
};

export function sampleRows() {
  const now = new Date();
  const createdAt = now.toISOString();
  const orderId = Bun.randomUUIDv7();
  const eventId = Bun.randomUUIDv7();
  const items = ORDER_BODY.items;
  const totalCents = items.reduce((s, i) => s + i.quantity * i.unitPriceCents, 0);
  const order = {
    id: orderId,
    customerId: BENCH_CUSTOMER,
    status: "placed",
    currency: ORDER_BODY.currency,
    items: items.map((i) => ({ ...i, lineTotalCents: i.quantity * i.unitPriceCents })),
    totalCents,
    createdAt,
    updatedAt: createdAt,
    cancelledAt: null,
  };
  const data = { orderId, customerId: BENCH_CUSTOMER, currency: ORDER_BODY.currency, totalCents, items, placedAt: createdAt };
  const envelope = createEnvelope({ id: eventId, type: ORDER_PLACED.type, source: "orders", time: now, data });
  const traceId = crypto.randomUUID().replaceAll("-", "");
  return {
    customerId: BENCH_CUSTOMER,
    payload: JSON.stringify(envelope),
    headers: JSON.stringify({ traceparent: `00-${traceId}-${traceId.slice(0, 16)}-00` }),
    requestHash: new Bun.CryptoHasher("sha256").update(`POST /v1/orders\n${JSON.stringify(ORDER_BODY)}`).digest("hex"),
    responseBody: JSON.stringify(order),
  };
}
