// The order lifecycle as an explicit transition table; anything not listed is an invalid transition.
import type { OrderStatus } from "./schemas.ts";

export type OrderAction = "cancel";

const TRANSITIONS: Record<OrderStatus, Partial<Record<OrderAction, OrderStatus>>> = {
  placed: { cancel: "cancelled" },
  cancelled: {},
};

/** The status an action leads to from `from`, or undefined when the table has no such transition. */
export function transition(from: OrderStatus, action: OrderAction): OrderStatus | undefined {
  return TRANSITIONS[from][action];
}
