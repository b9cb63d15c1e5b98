// Publishing to the embedded broker: validates and routes each message, then coalesces concurrent publishes into one statement per stream.
import type { Sql } from "../../db/postgres.ts";
import { type OutgoingMessage, PermanentPublishError, type PublishAck } from "../types.ts";
import type { StreamInfo, StreamRegistry } from "./streams.ts";
import { headerBytes, isValidSubject } from "./subjects.ts";

interface Pending {
  msg: OutgoingMessage;
  resolve(ack: PublishAck): void;
  reject(err: unknown): void;
}

/** Messages and bytes per publish statement at most. */
const MAX_BATCH = 512;
const MAX_BATCH_BYTES = 4 * 1024 * 1024;

export interface Publisher {
  publish(msg: OutgoingMessage, opts?: { timeoutMs?: number }): Promise<PublishAck>;
  /** Resolves when every publish queued so far has been answered. */
  drain(): Promise<void>;
}

/** `onStored(stream)` runs after a batch committed, e.g. to wake this process's consumers of that stream. */
export function createPublisher(sql: Sql, streams: StreamRegistry, onStored: (stream: string) => void): Publisher {
  const queues = new Map<string, Pending[]>();
  const flushing = new Map<string, Promise<void>>();

  const enqueue = (stream: StreamInfo, p: Pending) => {
    const q = queues.get(stream.name);
    if (q) q.push(p);
    else queues.set(stream.name, [p]);
    // Started on a microtask: every publish of the current tick (Promise.all over a batch) joins one statement.
    if (!flushing.has(stream.name)) {
      const run = new Promise<void>((r) => queueMicrotask(r)).then(() => flush(stream.name));
      flushing.set(stream.name, run);
    }
  };

  const flush = async (stream: string) => {
    try {
      for (let q = queues.get(stream); q && q.length > 0; q = queues.get(stream)) {
        let bytes = 0;
        let n = 0;
        while (n < q.length && n < MAX_BATCH && (n === 0 || bytes + (q[n]?.msg.data.length ?? 0) <= MAX_BATCH_BYTES)) bytes += q[n++]?.msg.data.length ?? 0;
        const batch = q.splice(0, n);
        await store(stream, batch, bytes).catch((err) => {
          for (const p of batch) p.reject(err);
        });
      }
    } finally {
      queues.delete(stream);
      flushing.delete(stream);
    }
  };

  const store = async (stream: string, batch: Pending[], bytes: number) => {
    const data = new Uint8Array(bytes);
    let at = 0;
    for (const p of batch) {
      data.set(p.msg.data, at);
      at += p.msg.data.length;
    }
    const rows = await sql<{ out_i: number; out_seq: string; out_duplicate: boolean }[]>`
      select out_i, out_seq, out_duplicate from broker.publish(${stream}, ${batch.map((p) => p.msg.subject)}::text[],
        ${batch.map((p) => p.msg.id)}::text[], ${batch.map((p) => JSON.stringify(p.msg.headers ?? {}))}::text[],
        ${batch.map((p) => p.msg.data.length)}::int[], ${data})`;
    if (rows.length === 0) throw new Error(`stream ${stream} no longer exists`);
    for (const r of rows) batch[r.out_i - 1]?.resolve({ stream, seq: Number(r.out_seq), duplicate: r.out_duplicate });
    for (const p of batch) p.reject(new Error("the broker returned no result for this message")); // no-op for those resolved
    if (rows.some((r) => !r.out_duplicate)) onStored(stream);
  };

  const accept = (msg: OutgoingMessage, stream: StreamInfo | undefined): Promise<PublishAck> => {
    // Like NATS "no responders": a stream may be created later, so this is not a permanent failure.
    if (!stream) return Promise.reject(new Error(`no stream stores subject ${msg.subject}`));
    const size = msg.data.length + headerBytes(msg.headers);
    if (stream.maxMessageBytes != null && stream.maxMessageBytes > 0 && size > stream.maxMessageBytes) {
      return Promise.reject(new PermanentPublishError(`message of ${size} bytes exceeds stream ${stream.name}'s limit of ${stream.maxMessageBytes}`));
    }
    return new Promise((resolve, reject) => enqueue(stream, { msg, resolve, reject }));
  };

  const publish = (msg: OutgoingMessage): Promise<PublishAck> => {
    if (!isValidSubject(msg.subject, false)) return Promise.reject(new PermanentPublishError(`invalid subject ${JSON.stringify(msg.subject)}`));
    if (!msg.id) return Promise.reject(new PermanentPublishError("message id is required"));
    const routed = streams.route(msg.subject);
    return routed instanceof Promise ? routed.then((s) => accept(msg, s)) : accept(msg, routed);
  };

  return {
    publish(msg, opts) {
      const acked = publish(msg);
      if (!opts?.timeoutMs) return acked;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`publish to ${msg.subject} timed out after ${opts.timeoutMs} ms`)), opts.timeoutMs);
      });
      return Promise.race([acked, timeout]).finally(() => clearTimeout(timer));
    },
    async drain() {
      while (flushing.size > 0) await Promise.all(flushing.values());
    },
  };
}
