// Cancelling an order: the state machine decides, the order.cancelled event and the response are stored in one transaction.
import { createEnvelope } from "../../../lib/events/envelope.ts";
import { ORDER_CANCELLED, type OrderCancelledData } from "../../../lib/events/order-events.ts";
import { AppError } from "../../../lib/http/app-error.ts";
import { fingerprint } from "../idempotency/key.ts";
import type { IdempotentOutcome } from "../idempotency/outcome.ts";
import { type CommandContext, type CommandDeps, EVENT_SOURCE, traceHeaders } from "./place-order.ts";
import type { Order } from "./schemas.ts";
import { transition } from "./state-machine.ts";

export async function cancelOrder(deps: CommandDeps, ctx: CommandContext, orderId: string): Promise<IdempotentOutcome> {
  const outcome = await deps.repo.cancelOrder({
    customerId: ctx.customerId,
    key: ctx.idempotencyKey,
    requestHash: fingerprint(`POST /v1/orders/${orderId}/cancel`, null),
    ttlSeconds: deps.idempotencyTtlSeconds,
    orderId,
    plan: (current) => {
      const now = deps.now();
      const at = now.toISOString();
      const order: Order = { ...current, status: transition(current.status, "cancel"), updatedAt: at, cancelledAt: at };
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
  if (!outcome) throw new AppError("not_found", { detail: "No such order." });
  return outcome;
}
