// Pipeline benchmark, the limit: raw JetStream publish and consume (explicit ack) through the platform's own transport, same server, same payloads.
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { createJetStreamTransport } from "../../lib/messaging/jetstream/transport.ts";
import { ORDERS_STREAM } from "../../lib/messaging/topology.ts";
import type { ConsumerConfig, OutgoingMessage, StreamConfig, Transport } from "../../lib/messaging/types.ts";
import { orderPlacedRow } from "../../tests/pipeline/outbox-events.ts";
import { type CpuUse, startCpuMeter } from "./cpu-meter.ts";

export interface RawResult {
  events: number;
  /** Publishes with `inFlight` outstanding, alone. */
  publishPerSec: number;
  /** Consume with a double ack per message (what the worker does), of a full stream, alone. */
  consumePerSec: number;
  /** Both at once, as the pipeline needs them: first publish to last ack. */
  bothPerSec: number;
  cpuBoth: CpuUse;
}

const enc = new TextEncoder();

async function deleteStreams(url: string, names: string[]): Promise<void> {
  const nc = await connect({ servers: url });
  try {
    const jsm = await jetstreamManager(nc);
    for (const name of names) await jsm.streams.delete(name).catch(() => {});
  } finally {
    await nc.close();
  }
}

/** The bytes the relay publishes for an order.placed row: the envelope's JSON, the event id as message id, a traceparent. */
function messages(subjectPrefix: string, n: number): OutgoingMessage[] {
  return Array.from({ length: n }, () => {
    const row = orderPlacedRow("bench-customer");
    return { subject: `${subjectPrefix}.placed`, id: row.id, data: enc.encode(JSON.stringify(row.payload)), headers: row.headers };
  });
}

async function publishAll(t: Transport, msgs: OutgoingMessage[], inFlight: number): Promise<void> {
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < msgs.length; i = next++) await t.publish(msgs[i] as OutgoingMessage);
  };
  await Promise.all(Array.from({ length: inFlight }, lane));
}

/** Consumes until `n` messages are acked; the same batch and concurrency as the worker's defaults (CONSUMER_BATCH 256, 2 × in flight). */
async function consumeAll(t: Transport, c: ConsumerConfig, n: number, timeoutMs: number): Promise<void> {
  let acked = 0;
  let done: () => void = () => {};
  const all = new Promise<void>((r) => {
    done = r;
  });
  const sub = await t.consume(c, {
    batch: 256,
    concurrency: 512,
    handler: async (d) => {
      await d.ack();
      if (++acked === n) done();
    },
  });
  const timer = setTimeout(() => done(), timeoutMs);
  await all;
  clearTimeout(timer);
  await sub.stop();
  if (acked < n) throw new Error(`raw consume: only ${acked} of ${n} acked within ${timeoutMs} ms`);
}

export async function measureRaw(opts: { natsUrl: string; events: number; inFlight: number; natsPid?: number | undefined }): Promise<RawResult> {
  const t = await createJetStreamTransport({ url: opts.natsUrl, name: "bench-raw" });
  const stream = (name: string): StreamConfig => ({ ...ORDERS_STREAM, name, subjects: [`${name.toLowerCase()}.>`] });
  const consumer = (s: StreamConfig): ConsumerConfig => ({
    stream: s.name,
    durable: "raw",
    filterSubjects: s.subjects,
    ackWaitMs: 30_000,
    maxDeliver: 10,
    maxAckPending: 1_024,
  });
  const limitMs = Math.max(60_000, opts.events * 2);
  try {
    // Alone: publish everything, then consume it all.
    const solo = stream("RAWSOLO");
    await t.ensureStream(solo);
    await t.ensureConsumer(consumer(solo));
    const soloMsgs = messages("rawsolo", opts.events);
    let t0 = performance.now();
    await publishAll(t, soloMsgs, opts.inFlight);
    const publishPerSec = opts.events / ((performance.now() - t0) / 1000);
    t0 = performance.now();
    await consumeAll(t, consumer(solo), opts.events, limitMs);
    const consumePerSec = opts.events / ((performance.now() - t0) / 1000);

    // Together on a fresh stream, as in the pipeline: the consumer starts first and keeps up with the publisher.
    const both = stream("RAWBOTH");
    await t.ensureStream(both);
    await t.ensureConsumer(consumer(both));
    const bothMsgs = messages("rawboth", opts.events);
    // No database takes part: every Postgres backend counts as "other".
    const meter = startCpuMeter({ database: [], pids: opts.natsPid ? { "nats-server": opts.natsPid } : {} });
    t0 = performance.now();
    const consumed = consumeAll(t, consumer(both), opts.events, limitMs);
    await publishAll(t, bothMsgs, opts.inFlight);
    await consumed;
    const bothPerSec = opts.events / ((performance.now() - t0) / 1000);
    const cpuBoth = meter.stop();
    return { events: opts.events, publishPerSec, consumePerSec, bothPerSec, cpuBoth };
  } finally {
    await t.close();
    await deleteStreams(opts.natsUrl, ["RAWSOLO", "RAWBOTH"]);
  }
}
