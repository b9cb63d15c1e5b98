// Cancelling an order: the state machine decides, the order.cancelled event and the response are stored in one transaction.
import { createEnvelope } from "../../../lib/events/envelope.ts";
import { ORDER_CANCELLED, type OrderCancelledData } from "../../../lib/events/order-events.ts";
import { fingerprint } from "../idempotency/key.ts";
import { type CommandContext, type CommandDeps, EVENT_SOURCE, traceHeaders } from "./place-order.ts";
import type { CancelOutcome } from "./repository.ts";
import type { Order } from "./schemas.ts";
import { transition } from "./state-machine.ts";

export function cancelOrder(deps: CommandDeps, ctx: CommandContext, orderId: string): Promise<CancelOutcome> {
  return deps.repo.cancelOrder({
    customerId: ctx.customerId,
    key: ctx.idempotencyKey,
    requestHash: fingerprint(`POST /v1/orders/${orderId}/cancel`, null),
    ttlSeconds: deps.idempotencyTtlSeconds,
    orderId,
    plan: (current) => {
      const status = transition(current.status, "cancel");
      if (!status) return undefined;
      const now = deps.now();
      const at = now.toISOString();
      const order: Order = { ...current, status, updatedAt: at, cancelledAt: at };
      const data: OrderCancelledData = { orderId, customerId: current.customerId, cancelledAt: at };
      const eventId = deps.newId();
      return {
        order,
        event: {
          id: eventId,
          subject: ORDER_CANCELLED.subject,
          payload: createEnvelope({ id: eventId, type: ORDER_CANCELLED.type, source: EVENT_SOURCE, time: now, data }),
          headers: traceHeaders(ctx.trace),
        },
        responseBody: JSON.stringify(order),
      };
    },
  });
}
