// Builds every contract document from code: each service's OpenAPI (from createApp with inert deps) and the event schemas.
import { z } from "zod";
import { orderCancelledEvent, orderPlacedEvent } from "../../lib/events/order-events.ts";
import { createHealth } from "../../lib/health/health.ts";
import { openApiDocument } from "../../lib/http/docs.ts";
import { silentLogger } from "../../lib/logging/logger.ts";
import { createApp as createOrdersApp, DOCS_INFO as ORDERS_INFO } from "../../services/orders/app.ts";
import type { OrdersRepository } from "../../services/orders/orders/repository.ts";

const unused = (): never => {
  throw new Error("the contract generator never serves requests");
};

function ordersDocument() {
  const repo: OrdersRepository = { placeOrder: unused, cancelOrder: unused, getOrder: unused, listOrders: unused, ping: unused };
  const app = createOrdersApp({ log: silentLogger, repo, verifyToken: unused, health: createHealth(), idempotencyTtlSeconds: 86_400 });
  return openApiDocument(app, ORDERS_INFO);
}

function eventSchema(title: string, subject: string, schema: z.ZodType) {
  return { $id: `urn:events:${subject}`, title, "x-subject": subject, ...z.toJSONSchema(schema, { target: "draft-2020-12" }) };
}

/** Path under openapi/ → document. */
export function contractDocuments(): Record<string, unknown> {
  return {
    "orders.json": ordersDocument(),
    "events/orders.placed.json": eventSchema("order.placed", "orders.placed", orderPlacedEvent),
    "events/orders.cancelled.json": eventSchema("order.cancelled", "orders.cancelled", orderCancelledEvent),
  };
}
