// Outbox rows as the orders service writes them (order.placed envelope, subject, trace headers), and a bulk insert for tests and the benchmark.
import type { Sql } from "../../lib/db/postgres.ts";
import { createEnvelope } from "../../lib/events/envelope.ts";
import { ORDER_PLACED } from "../../lib/events/order-events.ts";

export interface OutboxEventRow {
  id: string;
  subject: string;
  payload: unknown;
  headers: Record<string, string>;
}

const ITEMS = [
  { sku: "BOOK-42", quantity: 2, unitPriceCents: 1250 },
  { sku: "PEN-1", quantity: 1, unitPriceCents: 199 },
];

const hex = (bytes: number) => Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) => b.toString(16).padStart(2, "0")).join("");

/** An order.placed row like POST /v1/orders writes (place-order.ts); `extraData` adds fields inside `data` (e.g. padding). */
export function orderPlacedRow(customerId: string, extraData: Record<string, unknown> = {}): OutboxEventRow {
  const now = new Date();
  const id = Bun.randomUUIDv7();
  const data = { orderId: Bun.randomUUIDv7(), customerId, currency: "EUR", totalCents: 2699, items: ITEMS, placedAt: now.toISOString(), ...extraData };
  return {
    id,
    subject: ORDER_PLACED.subject,
    payload: createEnvelope({ id, type: ORDER_PLACED.type, source: "orders", time: now, data }),
    headers: { traceparent: `00-${hex(16)}-${hex(8)}-01` },
  };
}

/** A row on orders.placed whose payload is no order event (the consumer must dead-letter it): `payload` as given, id = the row's id. */
export function invalidRow(payload: (id: string) => unknown): OutboxEventRow {
  const id = Bun.randomUUIDv7();
  return { id, subject: ORDER_PLACED.subject, payload: payload(id), headers: { traceparent: `00-${hex(16)}-${hex(8)}-01` } };
}

/** Inserts rows in statements of `chunk` rows; created_at (clock_timestamp per row) keeps their order. */
export async function insertOutboxRows(sql: Sql, rows: OutboxEventRow[], chunk = 2_000): Promise<void> {
  for (let i = 0; i < rows.length; i += chunk) {
    const part = rows.slice(i, i + chunk);
    await sql`
      INSERT INTO outbox (id, subject, payload, headers)
      SELECT u.id, u.subject, u.payload::jsonb, u.headers::jsonb
        FROM unnest(${part.map((r) => r.id)}::uuid[], ${part.map((r) => r.subject)}::text[],
                    ${part.map((r) => JSON.stringify(r.payload))}::text[], ${part.map((r) => JSON.stringify(r.headers))}::text[])
             WITH ORDINALITY AS u(id, subject, payload, headers, n)
       ORDER BY u.n`;
  }
}
