// Test helper: valid order events (as the orders service publishes them) and their encoded bytes.
import { createEnvelope, type Envelope } from "../../../lib/events/envelope.ts";
import { ORDER_CANCELLED, ORDER_PLACED, type OrderCancelledData, type OrderPlacedData } from "../../../lib/events/order-events.ts";

const enc = new TextEncoder();

export function orderPlaced(customerId = "alice", over: Partial<OrderPlacedData> = {}, id: string = Bun.randomUUIDv7()): Envelope<OrderPlacedData> {
  const now = new Date();
  return createEnvelope({
    id,
    type: ORDER_PLACED.type,
    source: "orders",
    time: now,
    data: {
      orderId: Bun.randomUUIDv7(),
      customerId,
      currency: "EUR",
      totalCents: 2699,
      items: [
        { sku: "BOOK-42", quantity: 2, unitPriceCents: 1250 },
        { sku: "PEN-1", quantity: 1, unitPriceCents: 199 },
      ],
      placedAt: now.toISOString(),
      ...over,
    },
  });
}

export function orderCancelled(customerId = "alice", orderId: string = Bun.randomUUIDv7()): Envelope<OrderCancelledData> {
  const now = new Date();
  return createEnvelope({
    id: Bun.randomUUIDv7(),
    type: ORDER_CANCELLED.type,
    source: "orders",
    time: now,
    data: { orderId, customerId, cancelledAt: now.toISOString() },
  });
}

export const encodeEvent = (e: unknown): Uint8Array => enc.encode(JSON.stringify(e));

export const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
export const TRACEPARENT = `00-${TRACE_ID}-00f067aa0ba902b7-01`;
