// The order lifecycle as an explicit transition table; anything not listed is an invalid transition (409).
import { AppError } from "../../../lib/http/app-error.ts";
import type { OrderStatus } from "./schemas.ts";

export type OrderAction = "cancel";

const TRANSITIONS: Record<OrderStatus, Partial<Record<OrderAction, OrderStatus>>> = {
  placed: { cancel: "cancelled" },
  cancelled: {},
};

/** The status an action leads to from `from`, or an invalid_state_transition error. */
export function transition(from: OrderStatus, action: OrderAction): OrderStatus {
  const to = TRANSITIONS[from][action];
  if (!to) throw new AppError("invalid_state_transition", { detail: `An order that is ${from} cannot be ${action}led.` });
  return to;
}
