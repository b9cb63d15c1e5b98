// Zod schemas of the orders API: the single source of validation, types and the OpenAPI contract.
import { z } from "@hono/zod-openapi";
import { pageOf, pageQuery } from "../../../lib/http/pagination.ts";
import { ISO_4217_CODES } from "./currencies.ts";

export const ORDER_STATUSES = ["placed", "cancelled"] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

const cents = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/** The currencies the server accepts, as one named enum in the contract (requests and orders share it). */
export const Currency = z
  .enum(ISO_4217_CODES, { error: "must be an active ISO 4217 code in upper case, e.g. EUR" })
  .openapi("Currency", { example: "EUR", description: "Active ISO 4217 currency code, upper case (fund and precious-metal codes excluded)" });

const Sku = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "letters, digits, '.', '_' and '-'");
const Quantity = z.number().int().min(1).max(1000);
/** Items per order: the request's bounds hold for every stored order too. */
const itemList = <T extends z.ZodType>(item: T) => z.array(item).min(1).max(100);

export const OrderItemInput = z
  .strictObject({
    sku: Sku,
    quantity: Quantity,
    unitPriceCents: cents.openapi({ description: "Price of one unit in the currency's minor unit (integer)" }),
  })
  .openapi("OrderItemInput");

export const PlaceOrderBody = z
  .strictObject({
    currency: Currency,
    items: itemList(OrderItemInput),
  })
  .openapi("PlaceOrderRequest", {
    example: { currency: "EUR", items: [{ sku: "BOOK-42", quantity: 2, unitPriceCents: 1250 }] },
  });
export type PlaceOrderBody = z.infer<typeof PlaceOrderBody>;

export const OrderItem = z.object({ sku: Sku, quantity: Quantity, unitPriceCents: cents, lineTotalCents: cents }).openapi("OrderItem");

export const Order = z
  .object({
    id: z.uuid(),
    customerId: z.string().min(1),
    status: z.enum(ORDER_STATUSES),
    currency: Currency,
    items: itemList(OrderItem),
    totalCents: cents,
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    cancelledAt: z.iso.datetime().nullable(),
  })
  .openapi("Order", {
    example: {
      id: "0192f1b4-7c1e-7000-8000-0000000000a1",
      customerId: "customer-123",
      status: "placed",
      currency: "EUR",
      items: [{ sku: "BOOK-42", quantity: 2, unitPriceCents: 1250, lineTotalCents: 2500 }],
      totalCents: 2500,
      createdAt: "2026-11-21T12:00:00.000Z",
      updatedAt: "2026-11-21T12:00:00.000Z",
      cancelledAt: null,
    },
  });
export type Order = z.infer<typeof Order>;

export const OrderList = pageOf(Order, "OrderList");

export const OrderIdParam = z.object({
  // The pattern is the one z.uuid() applies (RFC 9562 version and variant bits, or the nil/max UUID): `format: uuid`
  // alone admits any 8-4-4-4-12 hex, which the server refuses.
  id: z.uuid().openapi({ param: { name: "id", in: "path" }, pattern: z.regexes.uuid().source, example: "0192f1b4-7c1e-7000-8000-0000000000a1" }),
});

export const ListOrdersQuery = z.strictObject({
  ...pageQuery(20),
  status: z
    .enum(ORDER_STATUSES)
    .optional()
    .openapi({ param: { name: "status", in: "query" } }),
});
