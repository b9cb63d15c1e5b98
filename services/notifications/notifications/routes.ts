// Route definition of GET /v1/notifications (contract only; the handler lives in handlers.ts).
import { createRoute } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { problemResponses } from "../../../lib/http/openapi-problems.ts";
import { ListNotificationsQuery, NotificationList } from "./schemas.ts";

export const notificationRoutes = (m: { auth: MiddlewareHandler; read: MiddlewareHandler }) => ({
  list: createRoute({
    method: "get",
    path: "/v1/notifications",
    operationId: "listNotifications",
    tags: ["notifications"],
    summary: "List the caller's notifications, newest first",
    description: "Only the caller's own notifications. Cursor pagination: follow `nextCursor` until it is null. Scope `notifications:read`.",
    security: [{ internalToken: ["notifications:read"] }],
    middleware: [m.auth, m.read] as const,
    request: { query: ListNotificationsQuery },
    responses: {
      200: { description: "A page of notifications", content: { "application/json": { schema: NotificationList } } },
      ...problemResponses("invalid_parameter", "unauthorized", "insufficient_scope", "internal_error", "database_unavailable", "database_timeout"),
    },
  }),
});
