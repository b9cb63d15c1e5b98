// The log channel for local use: each notification becomes one JSON log line (on the message's trace).
import type { Channel } from "./channel.ts";

export function createLogChannel(): Channel {
  return {
    name: "log",
    async send(n, { log }) {
      log.info("notification", {
        channel: "log",
        event_id: n.eventId,
        type: n.type,
        customer_id: n.customerId,
        order_id: n.orderId,
        title: n.title,
        message: n.message,
      });
    },
  };
}
