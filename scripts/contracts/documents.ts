// Builds every contract document from code: each service's OpenAPI (from createApp with inert deps), the gateway's merged one, the event schemas.
import { z } from "zod";
import { orderCancelledEvent, orderPlacedEvent } from "../../lib/events/order-events.ts";
import { createHealth } from "../../lib/health/health.ts";
import { openApiDocument } from "../../lib/http/docs.ts";
import { silentLogger } from "../../lib/logging/logger.ts";
import { gatewayDocument } from "../../services/gateway/contract/document.ts";
import type { OpenApiDocument } from "../../services/gateway/contract/merge.ts";
import { SERVICES } from "../../services/gateway/proxy/routes.ts";
import { createApp as createInferenceApp, DOCS_INFO as INFERENCE_INFO } from "../../services/inference/app.ts";
import { contractPools } from "../../services/inference/backends/contract-pools.ts";
import { createApp as createNotificationsApp, DOCS_INFO as NOTIFICATIONS_INFO } from "../../services/notifications/app.ts";
import type { NotificationsRepository } from "../../services/notifications/notifications/repository.ts";
import { createApp as createOrdersApp, DOCS_INFO as ORDERS_INFO } from "../../services/orders/app.ts";
import type { OrdersRepository } from "../../services/orders/orders/repository.ts";
import { asyncApiDocument } from "./asyncapi.ts";

const unused = (): never => {
  throw new Error("the contract generator never serves requests");
};

function ordersDocument() {
  const repo: OrdersRepository = { placeOrder: unused, cancelOrder: unused, getOrder: unused, listOrders: unused, ping: unused };
  const app = createOrdersApp({ log: silentLogger, repo, verifyToken: unused, health: createHealth(), idempotencyTtlSeconds: 86_400 });
  return openApiDocument(app, ORDERS_INFO);
}

function notificationsDocument() {
  const repo: NotificationsRepository = { list: unused, ping: unused };
  const app = createNotificationsApp({
    log: silentLogger,
    repo,
    deadLetters: { list: unused, get: unused },
    replayer: { replayOne: unused, replayAll: unused },
    verifyToken: unused,
    health: createHealth(),
  });
  return openApiDocument(app, NOTIFICATIONS_INFO);
}

function inferenceDocument() {
  const app = createInferenceApp({ log: silentLogger, pools: contractPools(), verifyToken: unused, health: createHealth() });
  return openApiDocument(app, INFERENCE_INFO);
}

function eventSchema(title: string, subject: string, schema: z.ZodType) {
  return { $id: `urn:events:${subject}`, title, "x-subject": subject, ...z.toJSONSchema(schema, { target: "draft-2020-12" }) };
}

/** Path under openapi/ → document. */
export function contractDocuments(): Record<string, unknown> {
  const docs: Record<string, unknown> = {
    "orders.json": ordersDocument(),
    "notifications.json": notificationsDocument(),
    "inference.json": inferenceDocument(),
    "events/orders.placed.json": eventSchema("order.placed", "orders.placed", orderPlacedEvent),
    "events/orders.cancelled.json": eventSchema("order.cancelled", "orders.cancelled", orderCancelledEvent),
    "events/asyncapi.json": asyncApiDocument(),
  };
  // The gateway's contract merges the services' documents above, which are exactly the committed openapi/<service>.json
  // whenever `openapi:check` passes; a service added here is picked up by name.
  docs["gateway.json"] = gatewayDocument(Object.fromEntries(SERVICES.map((s) => [s.name, docs[`${s.name}.json`] as OpenApiDocument | undefined])));
  return docs;
}
