// Route definitions of /v1/orders (contract only; handlers live in handlers.ts).
import { createRoute, z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import type { Scope } from "../../../lib/auth/principal.ts";
import { problemResponses } from "../../../lib/http/openapi-problems.ts";
import { NoQuery } from "../../../lib/http/query-params.ts";
import { IDEMPOTENCY_KEY_PATTERN } from "../idempotency/key.ts";
import { ListOrdersQuery, Order, OrderIdParam, OrderList, PlaceOrderBody } from "./schemas.ts";

export interface RouteMiddleware {
  auth: MiddlewareHandler;
  read: MiddlewareHandler;
  write: MiddlewareHandler;
  idempotencyKey: MiddlewareHandler;
}

/** The internal token carrying the scope an operation needs: the contract states it, the gateway derives its permission table from it. */
const needs = (scope: Scope) => [{ internalToken: [scope] }];
const authErrors = ["unauthorized", "insufficient_scope"] as const;
/** Every operation reads or writes the database: a lock or an outage answers 503/504 with Retry-After. */
const databaseErrors = ["database_unavailable", "database_timeout"] as const;

const idempotencyHeaders = z.object({
  "idempotency-key": z
    .string()
    .regex(IDEMPOTENCY_KEY_PATTERN)
    .optional()
    .openapi({
      param: { name: "idempotency-key", in: "header", required: true },
      description:
        'Required. A unique key per logical request, scoped to the caller: e.g. a UUID; 1–255 visible ASCII characters without `"` or `\\`, ' +
        'or an RFC 8941 Structured Field string (`"…"`, printable ASCII, `\\"` and `\\\\` escaped) naming the same key as its content. ' +
        "Retrying with the same key and body returns the stored status and body byte for byte with `Idempotent-Replayed: true`; " +
        "the same key with a different body is 422; while the first request is still running, 409 with Retry-After. " +
        "Keys are kept 24 hours by default (IDEMPOTENCY_TTL_SECONDS); failed requests store nothing and may be retried with the same key.",
      example: "5f0c6c8e-2a51-4f0e-9a53-3c1b0a6f9e21",
    }),
});

const replayedHeader = {
  "Idempotent-Replayed": {
    description: "`true` when this is the stored response of an earlier request with the same key",
    schema: { type: "string" as const, enum: ["true"] },
  },
};

const locationHeader = {
  Location: {
    description: "The new order: `/v1/orders/{id}`",
    required: true,
    schema: { type: "string" as const, pattern: "^/v1/orders/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$" },
  },
};

export const orderRoutes = (m: RouteMiddleware) => ({
  place: createRoute({
    method: "post",
    path: "/v1/orders",
    operationId: "placeOrder",
    tags: ["orders"],
    summary: "Place an order",
    description: "Creates an order for the caller. Requires scope `orders:write` and an Idempotency-Key.",
    security: needs("orders:write"),
    middleware: [m.auth, m.write, m.idempotencyKey] as const,
    request: {
      query: NoQuery,
      headers: idempotencyHeaders,
      body: { required: true, content: { "application/json": { schema: PlaceOrderBody } } },
    },
    responses: {
      201: { description: "Order placed", headers: { ...locationHeader, ...replayedHeader }, content: { "application/json": { schema: Order } } },
      ...problemResponses(
        "invalid_json",
        "idempotency_key_missing",
        "idempotency_key_invalid",
        ...authErrors,
        "idempotency_key_in_flight",
        "payload_too_large",
        "unsupported_media_type",
        "validation_failed",
        "idempotency_key_reused",
        "amount_overflow",
        "internal_error",
        ...databaseErrors,
      ),
    },
  }),

  get: createRoute({
    method: "get",
    path: "/v1/orders/{id}",
    operationId: "getOrder",
    tags: ["orders"],
    summary: "Get one of the caller's orders",
    description: "Another customer's order is 404. Scope `orders:read`; `orders:admin` may read every order.",
    security: needs("orders:read"),
    middleware: [m.auth, m.read] as const,
    request: { params: OrderIdParam, query: NoQuery },
    responses: {
      200: { description: "The order", content: { "application/json": { schema: Order } } },
      ...problemResponses("invalid_parameter", ...authErrors, "not_found", "internal_error", ...databaseErrors),
    },
  }),

  list: createRoute({
    method: "get",
    path: "/v1/orders",
    operationId: "listOrders",
    tags: ["orders"],
    summary: "List the caller's orders, newest first",
    description: "Cursor pagination: follow `nextCursor` until it is null. Scope `orders:read`; `orders:admin` lists every order.",
    security: needs("orders:read"),
    middleware: [m.auth, m.read] as const,
    request: { query: ListOrdersQuery },
    responses: {
      200: { description: "A page of orders", content: { "application/json": { schema: OrderList } } },
      ...problemResponses("invalid_parameter", ...authErrors, "internal_error", ...databaseErrors),
    },
  }),

  cancel: createRoute({
    method: "post",
    path: "/v1/orders/{id}/cancel",
    operationId: "cancelOrder",
    tags: ["orders"],
    summary: "Cancel one of the caller's orders",
    description: "Only a placed order can be cancelled (409 otherwise). Requires scope `orders:write` and an Idempotency-Key.",
    security: needs("orders:write"),
    middleware: [m.auth, m.write, m.idempotencyKey] as const,
    request: { params: OrderIdParam, query: NoQuery, headers: idempotencyHeaders },
    responses: {
      200: { description: "Order cancelled", headers: replayedHeader, content: { "application/json": { schema: Order } } },
      ...problemResponses(
        "invalid_parameter",
        "idempotency_key_missing",
        "idempotency_key_invalid",
        ...authErrors,
        "not_found",
        "idempotency_key_in_flight",
        "invalid_state_transition",
        "idempotency_key_reused",
        "internal_error",
        ...databaseErrors,
      ),
    },
  }),
});
