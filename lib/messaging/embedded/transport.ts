// The embedded Transport: JetStream semantics over Postgres tables (real PostgreSQL or PGlite), polling, no broker to run.
import type { Sql } from "../../db/postgres.ts";
import { type Logger, silentLogger } from "../../logging/logger.ts";
import type { ConsumerConfig, ConsumerLag, StoredMessage, Transport } from "../types.ts";
import { createDeliveryStore } from "./deliveries.ts";
import { createPublisher } from "./publisher.ts";
import { createRetention } from "./retention.ts";
import { ensureBrokerSchema } from "./schema.ts";
import { createSettler } from "./settler.ts";
import { createStreamRegistry } from "./streams.ts";
import { filterRegex, isValidSubject, patternsOverlap } from "./subjects.ts";
import { type RunningSubscription, startSubscription } from "./subscription.ts";

export interface EmbeddedTransportOptions {
  /** The caller's pool; never ended here. Works with `max: 1` (PGlite): no transaction spans an await on a handler. */
  sql: Sql;
  log?: Logger;
  /** How often an idle subscription looks for work published by other processes (default 50 ms). */
  pollIntervalMs?: number;
}

type MessageRow = {
  stream: string;
  seq: string;
  subject: string;
  msg_id: string | null;
  data: Uint8Array;
  headers: Record<string, string> | null;
  published_at: Date;
};

const toStored = (r: MessageRow): StoredMessage => ({
  stream: r.stream,
  seq: Number(r.seq),
  subject: r.subject,
  id: r.msg_id ?? undefined,
  data: r.data,
  headers: r.headers ?? {},
  publishedAt: r.published_at,
});

/** JetStream's "unlimited" (-1 or 0) as a number the tables can compare with. */
const orUnlimited = (n: number) => (n > 0 ? Math.min(n, 2_147_483_647) : 2_147_483_647);

/** Creates the broker tables if missing (schema "broker"), then returns the transport. */
export async function createEmbeddedTransport(opts: EmbeddedTransportOptions): Promise<Transport> {
  const { sql } = opts;
  const log = (opts.log ?? silentLogger).child({ component: "embedded-broker" });
  const pollIntervalMs = opts.pollIntervalMs ?? 50;
  await ensureBrokerSchema(sql, log);

  const streams = createStreamRegistry(sql);
  const settler = createSettler(sql);
  const retention = createRetention(sql, log);
  const subscriptions = new Map<RunningSubscription, string>(); // → stream
  // A publish here wakes this transport's consumers of that stream; other processes find it by polling.
  const publisher = createPublisher(sql, streams, (stream) => {
    for (const [sub, s] of subscriptions) if (s === stream) sub.wake();
  });
  let closing: Promise<void> | undefined;
  const closedError = () => new Error("embedded transport is closed");

  const transport: Transport = {
    kind: "embedded",
    ensureStream: (config) => streams.ensure(config),

    async ensureConsumer(c) {
      const stream = await streams.byName(c.stream);
      if (!stream) throw new Error(`consumer ${c.durable}: stream ${c.stream} does not exist`);
      const bad = c.filterSubjects.find((f) => !isValidSubject(f, true) || !stream.subjects.some((s) => patternsOverlap(s, f)));
      if (bad !== undefined) throw new Error(`consumer ${c.durable}: filter ${bad} is invalid or outside stream ${c.stream}`);
      // A filter naming every subject of the stream filters nothing: skip the per-message regex.
      const everything = stream.subjects.every((s) => c.filterSubjects.includes(s));
      await sql`
        insert into broker.consumers (stream, durable, filter_subjects, filter_re, ack_wait_ms, max_deliver, max_ack_pending)
        values (${c.stream}, ${c.durable}, ${c.filterSubjects}::text[], ${everything ? "" : filterRegex(c.filterSubjects)}, ${c.ackWaitMs},
          ${orUnlimited(c.maxDeliver)}, ${orUnlimited(c.maxAckPending)})
        on conflict (stream, durable) do update set filter_subjects = excluded.filter_subjects, filter_re = excluded.filter_re,
          ack_wait_ms = excluded.ack_wait_ms, max_deliver = excluded.max_deliver, max_ack_pending = excluded.max_ack_pending`;
    },

    publish(msg, o) {
      if (closing) return Promise.reject(closedError());
      retention.poke();
      return publisher.publish(msg, o);
    },

    async consume(config: ConsumerConfig, o) {
      if (closing) throw closedError();
      const found = await sql`select 1 from broker.consumers where stream = ${config.stream} and durable = ${config.durable}`;
      if (found.length === 0) throw new Error(`consumer ${config.durable} of stream ${config.stream} does not exist (ensureConsumer first)`);
      const store = createDeliveryStore(sql, config, settler, log);
      const sub = startSubscription({
        ...o,
        store: {
          claim: (max) => {
            retention.poke();
            return store.claim(max);
          },
          release: store.release,
        },
        ackWaitMs: config.ackWaitMs,
        pollIntervalMs,
        log: log.child({ stream: config.stream, durable: config.durable }),
      });
      subscriptions.set(sub, config.stream);
      void sub.closed.then(() => subscriptions.delete(sub));
      return sub;
    },

    async consumerLag(stream, durable): Promise<ConsumerLag> {
      const [row] = await sql<{ pending: string; ack_pending: string }[]>`
        select
          (select count(*) from broker.messages m where m.stream = c.stream and m.seq > c.cursor_seq and (c.filter_re = '' or m.subject ~ c.filter_re))
          + (select count(*) from broker.deliveries d where d.stream = c.stream and d.durable = c.durable and d.deliveries = 0) as pending,
          (select count(*) from broker.deliveries d where d.stream = c.stream and d.durable = c.durable and d.deliveries > 0
            and (d.deliveries < c.max_deliver or d.next_at > now())) as ack_pending
        from broker.consumers c where c.stream = ${stream} and c.durable = ${durable}`;
      if (!row) throw new Error(`consumer ${durable} of stream ${stream} does not exist`);
      return { pending: Number(row.pending), ackPending: Number(row.ack_pending) };
    },

    async countMessages(stream) {
      const [row] = await sql<{ n: number }[]>`select count(*)::int as n from broker.messages where stream = ${stream}`;
      return row?.n ?? 0;
    },

    async listMessages(stream, { afterSeq = 0, limit }) {
      const rows = await sql<MessageRow[]>`
        select stream, seq, subject, msg_id, data, headers, published_at from broker.messages
        where stream = ${stream} and seq > ${afterSeq} order by seq limit ${limit}`;
      return rows.map(toStored);
    },

    async getMessage(stream, seq) {
      const [row] = await sql<MessageRow[]>`
        select stream, seq, subject, msg_id, data, headers, published_at from broker.messages where stream = ${stream} and seq = ${seq}`;
      return row && toStored(row);
    },

    async deleteMessage(stream, seq) {
      const [row] = await sql<{ n: number }[]>`
        with gone as (delete from broker.messages where stream = ${stream} and seq = ${seq} returning seq),
        state as (delete from broker.deliveries d using gone where d.stream = ${stream} and d.seq = gone.seq)
        select count(*)::int as n from gone`;
      return (row?.n ?? 0) > 0;
    },

    // One PostgreSQL database holds the streams: no failover, so no event that could lose acknowledged messages.
    watchFaults: () => () => {},

    async ping() {
      await sql`select 1`;
    },

    close: () =>
      (closing ??= (async () => {
        await Promise.all([...subscriptions.keys()].map((s) => s.stop()));
        await publisher.drain();
        await settler.drain();
        await retention.drain();
      })()),
  };
  return transport;
}
