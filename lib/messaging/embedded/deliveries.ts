// Delivery state of the embedded broker: claim a batch for a durable, release unseen claims, and the Delivery objects handlers get.
import type { Sql } from "../../db/postgres.ts";
import type { Logger } from "../../logging/logger.ts";
import type { Delivery } from "../types.ts";
import type { Settler } from "./settler.ts";

type ClaimRow = {
  out_seq: string;
  out_deliveries: number;
  out_subject: string;
  out_msg_id: string | null;
  out_data: Uint8Array;
  out_headers: Record<string, string> | null;
  out_published_at: Date;
};

export interface Consumer {
  stream: string;
  durable: string;
}

/** A claimed delivery plus when this process claimed it (its ack deadline runs from then). */
export interface Claimed {
  delivery: Delivery;
  claimedAt: number;
}

/** SQLSTATE the claim raises when the durable does not exist (it was never ensured, or its stream is gone). */
export const NO_SUCH_CONSUMER = "P0002";

export interface DeliveryStore {
  /** One statement: up to `max` deliveries (redeliveries first, then new messages), in seq order, marked delivered. */
  claim(max: number): Promise<Claimed[]>;
  /** Undoes the claim of deliveries no handler saw: eligible at once, and the claim does not count as a delivery. */
  release(deliveries: Delivery[]): Promise<void>;
}

export function createDeliveryStore(sql: Sql, consumer: Consumer, settler: Settler, log: Logger): DeliveryStore {
  const { stream, durable } = consumer;
  const where = (seq: number, count: number) => sql`stream = ${stream} and durable = ${durable} and seq = ${seq} and deliveries = ${count}`;

  const toDelivery = (r: ClaimRow): Delivery => {
    const seq = Number(r.out_seq);
    const count = r.out_deliveries;
    return {
      stream,
      seq,
      subject: r.out_subject,
      id: r.out_msg_id ?? undefined,
      data: r.out_data,
      headers: r.out_headers ?? {},
      publishedAt: r.out_published_at,
      deliveryCount: count,
      ack: () => settler.settle(stream, durable, seq),
      term: (reason) => {
        log.debug("message terminated", { stream, durable, seq, reason });
        return settler.settle(stream, durable, seq);
      },
      // Only while this delivery is the current one: a late nak must not push back a newer redelivery.
      nak: async (delayMs) => {
        await sql`update broker.deliveries set next_at = now() + ${Math.max(0, delayMs)} * interval '1 millisecond' where ${where(seq, count)}`;
      },
      working: async () => {
        await sql`
          update broker.deliveries set next_at = now() + (
            select ack_wait_ms from broker.consumers where stream = ${stream} and durable = ${durable}) * interval '1 millisecond'
          where ${where(seq, count)}`;
      },
    };
  };

  return {
    async claim(max) {
      const rows = await sql<ClaimRow[]>`select * from broker.claim(${stream}, ${durable}, ${max})`;
      const claimedAt = Date.now();
      return rows.map((r) => ({ delivery: toDelivery(r), claimedAt }));
    },
    async release(deliveries) {
      if (deliveries.length === 0) return;
      await sql`
        update broker.deliveries d set deliveries = d.deliveries - 1, next_at = now()
        from unnest(${deliveries.map((d) => d.seq)}::bigint[], ${deliveries.map((d) => d.deliveryCount)}::int[]) as u(seq, count)
        where d.stream = ${stream} and d.durable = ${durable} and d.seq = u.seq and d.deliveries = u.count`;
    },
  };
}
