// Orders persistence on postgres.js: one-round-trip placement, transactional cancel, caller-scoped reads.
import type { Sql } from "../../../lib/db/postgres.ts";
import { fromRow, type IdempotentOutcome } from "../idempotency/outcome.ts";
import type { Order, OrderStatus } from "./schemas.ts";

export interface OutboxEvent {
  id: string;
  subject: string;
  payload: unknown;
  headers: Record<string, string>;
}

export interface IdempotencyScope {
  customerId: string;
  key: string;
  requestHash: string;
  ttlSeconds: number;
}

export interface PlaceOrderCommand extends IdempotencyScope {
  order: Order;
  event: OutboxEvent;
  responseBody: string;
}

/** What cancelling changes, decided from the current order; undefined when its lifecycle refuses (nothing is written). */
export type CancelPlan = (current: Order) => { order: Order; event: OutboxEvent; responseBody: string } | undefined;

/** How a cancel ended: an idempotent outcome, no such order for this customer, or refused by the order's status. */
export type CancelOutcome = IdempotentOutcome | { kind: "not_found" } | { kind: "invalid_transition"; from: OrderStatus };

export interface CancelOrderCommand extends IdempotencyScope {
  orderId: string;
  plan: CancelPlan;
}

export interface ListFilter {
  /** null = every customer (admin) */
  customerId: string | null;
  status?: OrderStatus | undefined;
  afterId?: string | undefined;
  limit: number;
}

export interface OrdersRepository {
  placeOrder(cmd: PlaceOrderCommand): Promise<IdempotentOutcome>;
  cancelOrder(cmd: CancelOrderCommand): Promise<CancelOutcome>;
  getOrder(id: string, customerId: string | null): Promise<Order | undefined>;
  listOrders(filter: ListFilter): Promise<Order[]>;
  ping(): Promise<void>;
}

interface OrderRow {
  id: string;
  customer_id: string;
  status: OrderStatus;
  currency: string;
  total_cents: string;
  created_at: Date;
  updated_at: Date;
  cancelled_at: Date | null;
  items: { sku: string; quantity: number; unitPriceCents: number }[];
}

function toOrder(r: OrderRow): Order {
  return {
    id: r.id,
    customerId: r.customer_id,
    status: r.status,
    currency: r.currency,
    items: r.items.map((i) => ({ ...i, lineTotalCents: i.quantity * i.unitPriceCents })),
    totalCents: Number(r.total_cents),
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
    cancelledAt: r.cancelled_at ? r.cancelled_at.toISOString() : null,
  };
}

export function createOrdersRepository(sql: Sql): OrdersRepository {
  // One query returns orders with their items (json_agg), so a page is one round trip.
  const selectOrders = (q: Sql, where: ReturnType<Sql>, limit: number, lock = false) => q<OrderRow[]>`
    SELECT o.id, o.customer_id, o.status, o.currency, o.total_cents, o.created_at, o.updated_at, o.cancelled_at,
           (SELECT json_agg(json_build_object('sku', i.sku, 'quantity', i.quantity, 'unitPriceCents', i.unit_price_cents) ORDER BY i.line)
              FROM order_items i WHERE i.order_id = o.id) AS items
      FROM orders o WHERE ${where} ORDER BY o.id DESC LIMIT ${limit} ${lock ? sql`FOR UPDATE` : sql``}`;

  const scoped = (customerId: string | null) => (customerId === null ? sql`TRUE` : sql`o.customer_id = ${customerId}`);

  return {
    async placeOrder(cmd) {
      const o = cmd.order;
      const rows = await sql`
        SELECT * FROM place_order(
          ${cmd.customerId}, ${cmd.key}, ${cmd.requestHash}, ${cmd.ttlSeconds},
          ${o.id}, ${o.currency}, ${o.totalCents}, ${o.createdAt},
          ${o.items.map((i) => i.sku)}, ${o.items.map((i) => i.quantity)}, ${o.items.map((i) => i.unitPriceCents)},
          ${cmd.event.id}, ${cmd.event.subject}, ${sql.json(cmd.event.payload as never)}, ${sql.json(cmd.event.headers)},
          ${cmd.responseBody})`;
      return fromRow(rows[0] as never);
    },

    async cancelOrder(cmd) {
      const result = await sql.begin(async (tx): Promise<CancelOutcome> => {
        const [claim] = await tx`SELECT * FROM claim_idempotency_key(${cmd.customerId}, ${cmd.key}, ${cmd.requestHash})`;
        if (claim?.outcome !== "claimed") return fromRow(claim as never);
        const [row] = await selectOrders(tx as unknown as Sql, tx`o.id = ${cmd.orderId} AND o.customer_id = ${cmd.customerId}`, 1, true);
        if (!row) return { kind: "not_found" };
        const current = toOrder(row);
        const next = cmd.plan(current);
        if (!next) return { kind: "invalid_transition", from: current.status };
        await Promise.all([
          tx`UPDATE orders SET status = ${next.order.status}, updated_at = ${next.order.updatedAt}, cancelled_at = ${next.order.cancelledAt}
              WHERE id = ${next.order.id}`,
          tx`INSERT INTO outbox (id, subject, payload, headers)
              VALUES (${next.event.id}, ${next.event.subject}, ${tx.json(next.event.payload as never)}, ${tx.json(next.event.headers)})`,
          tx`SELECT store_idempotency_key(${cmd.customerId}, ${cmd.key}, ${cmd.requestHash}, 200, ${next.responseBody}, ${cmd.ttlSeconds})`,
        ]);
        return { kind: "created", status: 200, body: next.responseBody };
      });
      return result as CancelOutcome;
    },

    async getOrder(id, customerId) {
      const [row] = await selectOrders(sql, sql`o.id = ${id} AND ${scoped(customerId)}`, 1);
      return row ? toOrder(row) : undefined;
    },

    async listOrders(f) {
      const status = f.status ? sql`AND o.status = ${f.status}` : sql``;
      const after = f.afterId ? sql`AND o.id < ${f.afterId}` : sql``;
      const rows = await selectOrders(sql, sql`${scoped(f.customerId)} ${status} ${after}`, f.limit);
      return rows.map(toOrder);
    },

    async ping() {
      await sql`SELECT 1`;
    },
  };
}
