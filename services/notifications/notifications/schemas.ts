// Zod schemas of GET /v1/notifications: the single source of validation, types and the OpenAPI contract.
import { z } from "@hono/zod-openapi";
import { pageOf, pageQuery } from "../../../lib/http/pagination.ts";

export const Notification = z
  .object({
    id: z.uuid(),
    eventId: z.uuid().openapi({ description: "The order event this notification is about" }),
    type: z.string().openapi({ description: "The event type", example: "order.placed" }),
    customerId: z.string(),
    orderId: z.uuid(),
    title: z.string(),
    message: z.string(),
    channel: z.string().openapi({ description: "Where it was delivered: log or webhook" }),
    eventTime: z.iso.datetime().openapi({ description: "When the event happened" }),
    createdAt: z.iso.datetime().openapi({ description: "When the notification was delivered and recorded" }),
  })
  .openapi("Notification", {
    example: {
      id: "0192f1b4-7c1e-7000-8000-0000000000b1",
      eventId: "0192f1b4-7c1e-7000-8000-0000000000a2",
      type: "order.placed",
      customerId: "customer-123",
      orderId: "0192f1b4-7c1e-7000-8000-0000000000a1",
      title: "Order placed",
      message: "Your order 0192f1b4-7c1e-7000-8000-0000000000a1 (3 items, €26.99) was placed.",
      channel: "webhook",
      eventTime: "2026-11-21T12:00:00.000Z",
      createdAt: "2026-11-21T12:00:00.120Z",
    },
  });
export type Notification = z.infer<typeof Notification>;

export const NotificationList = pageOf(Notification, "NotificationList");

export const ListNotificationsQuery = z.strictObject(pageQuery(20));
