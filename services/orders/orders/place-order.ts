// Placing an order: price it, build the order, its order.placed event and the exact response, then store all at once.
import { createEnvelope } from "../../../lib/events/envelope.ts";
import { ORDER_PLACED, type OrderPlacedData } from "../../../lib/events/order-events.ts";
import { formatTraceparent, type TraceContext } from "../../../lib/telemetry/trace-context.ts";
import { fingerprint } from "../idempotency/key.ts";
import type { IdempotentOutcome } from "../idempotency/outcome.ts";
import { totals } from "./money.ts";
import type { OrdersRepository } from "./repository.ts";
import type { Order, PlaceOrderBody } from "./schemas.ts";

export interface CommandDeps {
  repo: OrdersRepository;
  idempotencyTtlSeconds: number;
  newId: () => string;
  now: () => Date;
  onOutboxWrite: () => void;
}

export interface CommandContext {
  customerId: string;
  idempotencyKey: string;
  trace: TraceContext;
}

export const EVENT_SOURCE = "orders";

/**
 * Trace context stored with an outbox row so the relay and consumers continue the request's trace: the request's
 * context holds its server span's ids when tracing is on (lib/http/request-context.ts), else the request's own ids.
 */
export function traceHeaders(trace: TraceContext): Record<string, string> {
  const headers: Record<string, string> = { traceparent: formatTraceparent(trace) };
  if (trace.tracestate) headers.tracestate = trace.tracestate;
  return headers;
}

export function placeOrder(deps: CommandDeps, ctx: CommandContext, body: PlaceOrderBody): Promise<IdempotentOutcome> {
  const { lineTotals, totalCents } = totals(body.items);
  const now = deps.now();
  const createdAt = now.toISOString();
  const order: Order = {
    id: deps.newId(),
    customerId: ctx.customerId,
    status: "placed",
    currency: body.currency,
    items: body.items.map((i, n) => ({ sku: i.sku, quantity: i.quantity, unitPriceCents: i.unitPriceCents, lineTotalCents: lineTotals[n] ?? 0 })),
    totalCents,
    createdAt,
    updatedAt: createdAt,
    cancelledAt: null,
  };
  const data: OrderPlacedData = {
    orderId: order.id,
    customerId: order.customerId,
    currency: order.currency,
    totalCents,
    items: body.items,
    placedAt: createdAt,
  };
  const eventId = deps.newId();
  return deps.repo.placeOrder({
    customerId: ctx.customerId,
    key: ctx.idempotencyKey,
    requestHash: fingerprint("POST /v1/orders", body),
    ttlSeconds: deps.idempotencyTtlSeconds,
    order,
    event: {
      id: eventId,
      subject: ORDER_PLACED.subject,
      payload: createEnvelope({ id: eventId, type: ORDER_PLACED.type, source: EVENT_SOURCE, time: now, data }),
      headers: traceHeaders(ctx.trace),
    },
    responseBody: JSON.stringify(order),
  });
}
