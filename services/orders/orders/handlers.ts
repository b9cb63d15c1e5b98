// Registers the /v1/orders handlers: thin glue from validated input to the domain functions.
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { InternalTokenVerifier } from "../../../lib/auth/internal-token.ts";
import { requireInternalAuth, requireScope } from "../../../lib/auth/middleware.ts";
import { hasScope, type Principal } from "../../../lib/auth/principal.ts";
import { AppError } from "../../../lib/http/app-error.ts";
import { decodeCursor, encodeCursor, uuidValue } from "../../../lib/http/cursor.ts";
import type { IdempotencyRecorder } from "../idempotency/idempotency-metrics.ts";
import { type IdempotencyEnv, requireIdempotencyKey } from "../idempotency/key.ts";
import type { IdempotentOutcome } from "../idempotency/outcome.ts";
import { cancelOrder } from "./cancel-order.ts";
import { type CommandDeps, placeOrder } from "./place-order.ts";
import type { CancelOutcome } from "./repository.ts";
import { orderRoutes } from "./routes.ts";

export interface OrderHandlerDeps extends CommandDeps {
  verifyToken: InternalTokenVerifier;
  /** Counts replays and conflicts (orders_idempotency_*). */
  recordIdempotency?: IdempotencyRecorder;
}

/** Whose orders a caller may read: their own, or everyone's with orders:admin (null). */
const readScope = (p: Principal): string | null => (hasScope(p, "orders:admin") ? null : p.subject);

/** How long a client should wait before retrying while the first request with its key is still running. */
const RETRY_AFTER_SECONDS = 1;

/** `Location` of a 201 (a placed order, first time or replayed): the stored body is the order, its id names it. */
function location(outcome: { status: number; body: string }): Record<string, string> {
  if (outcome.status !== 201) return {};
  return { location: `/v1/orders/${(JSON.parse(outcome.body) as { id: string }).id}` };
}

/** The answer for an idempotent outcome: the stored bytes (flagged when replayed), or the matching problem. */
function respond(outcome: IdempotentOutcome): Response {
  switch (outcome.kind) {
    case "created":
      return new Response(outcome.body, { status: outcome.status, headers: { "content-type": "application/json", ...location(outcome) } });
    case "replay":
      return new Response(outcome.body, {
        status: outcome.status,
        headers: { "content-type": "application/json", "idempotent-replayed": "true", ...location(outcome) },
      });
    case "in_flight":
      throw new AppError("idempotency_key_in_flight", {
        detail: "The first request with this key is still being processed; retry shortly.",
        headers: { "retry-after": String(RETRY_AFTER_SECONDS) },
      });
    case "mismatch":
      throw new AppError("idempotency_key_reused", { detail: "This Idempotency-Key was already used with a different request body or operation." });
  }
}

/** A cancel that found no order, or an order whose status refuses it, is a problem; anything else an idempotent outcome. */
function cancelled(outcome: CancelOutcome): IdempotentOutcome {
  if (outcome.kind === "not_found") throw new AppError("not_found", { detail: "No such order." });
  if (outcome.kind === "invalid_transition")
    throw new AppError("invalid_state_transition", { detail: `An order that is ${outcome.from} cannot be cancelled.` });
  return outcome;
}

export function registerOrderRoutes(app: OpenAPIHono<IdempotencyEnv>, deps: OrderHandlerDeps): void {
  const routes = orderRoutes({
    auth: requireInternalAuth(deps.verifyToken, "orders"),
    read: requireScope("orders:read"),
    write: requireScope("orders:write"),
    idempotencyKey: requireIdempotencyKey(),
  });
  const ctx = (c: Context<IdempotencyEnv>) => ({
    customerId: c.get("principal").subject,
    idempotencyKey: c.get("idempotencyKey"),
    trace: c.get("trace"),
  });

  const written = (outcome: IdempotentOutcome) => {
    if (outcome.kind === "created") deps.onOutboxWrite();
    else deps.recordIdempotency?.(outcome.kind);
    return respond(outcome) as never;
  };

  app.openapi(routes.place, async (c) => written(await placeOrder(deps, ctx(c), c.req.valid("json"))));

  app.openapi(routes.cancel, async (c) => written(cancelled(await cancelOrder(deps, ctx(c), c.req.valid("param").id))));

  app.openapi(routes.get, async (c) => {
    const order = await deps.repo.getOrder(c.req.valid("param").id, readScope(c.get("principal")));
    if (!order) throw new AppError("not_found", { detail: "No such order." });
    return c.json(order, 200);
  });

  app.openapi(routes.list, async (c) => {
    const q = c.req.valid("query");
    const items = await deps.repo.listOrders({
      customerId: readScope(c.get("principal")),
      status: q.status,
      afterId: q.cursor === undefined ? undefined : decodeCursor(q.cursor, "o1", uuidValue),
      limit: q.limit + 1,
    });
    const more = items.length > q.limit;
    const page = more ? items.slice(0, q.limit) : items;
    const last = page.at(-1);
    return c.json({ items: page, nextCursor: more && last ? encodeCursor("o1", last.id) : null }, 200);
  });
}
