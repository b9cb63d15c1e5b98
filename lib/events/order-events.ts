// Event contracts of the order domain: order.placed and order.cancelled, their subjects and zod schemas.
import { z } from "zod";
import { envelopeSchema } from "./envelope.ts";

export const ORDERS_STREAM = "ORDERS";
export const ORDER_PLACED = { type: "order.placed", subject: "orders.placed" } as const;
export const ORDER_CANCELLED = { type: "order.cancelled", subject: "orders.cancelled" } as const;

const cents = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const orderPlacedData = z.object({
  orderId: z.uuid(),
  customerId: z.string().min(1),
  currency: z.string().length(3),
  totalCents: cents,
  items: z.array(z.object({ sku: z.string(), quantity: z.number().int().min(1), unitPriceCents: cents })).min(1),
  placedAt: z.iso.datetime({ offset: true }),
});
export type OrderPlacedData = z.infer<typeof orderPlacedData>;

export const orderCancelledData = z.object({
  orderId: z.uuid(),
  customerId: z.string().min(1),
  cancelledAt: z.iso.datetime({ offset: true }),
});
export type OrderCancelledData = z.infer<typeof orderCancelledData>;

export const orderPlacedEvent = envelopeSchema(ORDER_PLACED.type, orderPlacedData);
export const orderCancelledEvent = envelopeSchema(ORDER_CANCELLED.type, orderCancelledData);
export const orderEvent = z.discriminatedUnion("type", [orderPlacedEvent, orderCancelledEvent]);
export type OrderEvent = z.infer<typeof orderEvent>;
