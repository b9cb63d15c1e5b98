// Turns an order event into the notification a customer receives (title and message), the same every time for the same event.
import type { OrderEvent } from "../../../lib/events/order-events.ts";
import type { OutboundNotification } from "../channels/channel.ts";

const formatters = new Map<string, { f: Intl.NumberFormat; scale: number }>();

/** An amount in minor units as the currency writes it ("€26.99", "¥2,699"); unknown codes fall back to "2699 XXX (minor units)". */
export function formatMoney(minorUnits: number, currency: string): string {
  let entry = formatters.get(currency);
  if (!entry) {
    try {
      const f = new Intl.NumberFormat("en", { style: "currency", currency });
      entry = { f, scale: 10 ** (f.resolvedOptions().maximumFractionDigits ?? 2) };
    } catch {
      return `${minorUnits} ${currency} (minor units)`;
    }
    formatters.set(currency, entry);
  }
  return entry.f.format(minorUnits / entry.scale);
}

export function renderNotification(event: OrderEvent): OutboundNotification {
  const base = {
    eventId: event.id,
    type: event.type,
    customerId: event.data.customerId,
    orderId: event.data.orderId,
    occurredAt: event.time,
    data: event.data,
  };
  // The envelope's `type` is typed as a plain string, so narrow on the data's shape (the schema tied the two together).
  const data = event.data;
  if ("totalCents" in data) {
    const items = data.items.reduce((n, i) => n + i.quantity, 0);
    return {
      ...base,
      title: "Order placed",
      message: `Your order ${data.orderId} (${items} item${items === 1 ? "" : "s"}, ${formatMoney(data.totalCents, data.currency)}) was placed.`,
    };
  }
  return { ...base, title: "Order cancelled", message: `Your order ${event.data.orderId} was cancelled.` };
}
