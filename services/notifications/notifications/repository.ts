// Reads the caller's notifications (newest first, keyset pagination) on postgres.js.
import type { Sql } from "../../../lib/db/postgres.ts";
import type { Notification } from "./schemas.ts";

export interface NotificationsRepository {
  /** The customer's notifications with id < afterId, newest first. */
  list(filter: { customerId: string; afterId?: string | undefined; limit: number }): Promise<Notification[]>;
  ping(): Promise<void>;
}

interface Row {
  id: string;
  event_id: string;
  type: string;
  customer_id: string;
  order_id: string;
  title: string;
  message: string;
  channel: string;
  event_time: Date;
  created_at: Date;
}

export function createNotificationsRepository(sql: Sql): NotificationsRepository {
  return {
    async list(f) {
      const after = f.afterId ? sql`AND id < ${f.afterId}` : sql``;
      const rows = await sql<Row[]>`
        SELECT id, event_id, type, customer_id, order_id, title, message, channel, event_time, created_at
          FROM notifications WHERE customer_id = ${f.customerId} ${after}
         ORDER BY id DESC LIMIT ${f.limit}`;
      return rows.map((r) => ({
        id: r.id,
        eventId: r.event_id,
        type: r.type,
        customerId: r.customer_id,
        orderId: r.order_id,
        title: r.title,
        message: r.message,
        channel: r.channel,
        eventTime: r.event_time.toISOString(),
        createdAt: r.created_at.toISOString(),
      }));
    },
    async ping() {
      await sql`SELECT 1`;
    },
  };
}
