// Test helper: one worker on its own source stream and durable (so runs on a shared broker never meet), with probes for assertions.
import type { Sql } from "../../../lib/db/postgres.ts";
import { createLogger } from "../../../lib/logging/logger.ts";
import { DLQ_STREAM } from "../../../lib/messaging/topology.ts";
import type { StreamConfig, Transport } from "../../../lib/messaging/types.ts";
import type { Channel } from "../channels/channel.ts";
import { createDeadLetterReader } from "../dead-letters/dead-letter-reader.ts";
import { createReplayer } from "../dead-letters/replay.ts";
import { type ConsumerOptions, type RunningConsumer, startConsumer } from "../worker/consumer.ts";
import { createEventStore, type EventStore } from "../worker/event-store.ts";
import { encodeEvent } from "./events.ts";
import { recordingTransport } from "./recording-transport.ts";

export type HarnessOptions = Partial<Omit<ConsumerOptions, "transport" | "channel" | "store">> & { channel: Channel; store?: (s: EventStore) => EventStore };

/** Polls `check` until it returns true, or throws after `ms`. */
export async function eventually(check: () => boolean | Promise<boolean>, ms = 10_000, what = "condition"): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`${what} not met within ${ms} ms`);
    await Bun.sleep(10);
  }
}

export async function startHarness(inner: Transport, sql: Sql, { store: wrapStore, ...o }: HarnessOptions) {
  const tag = `nt${Date.now().toString(36)}${crypto.randomUUID().slice(0, 6)}`;
  const durable = `w${tag}`;
  const source: StreamConfig = { name: tag.toUpperCase(), subjects: [`${tag}.>`], duplicateWindowMs: 60_000, maxMessageBytes: 64 * 1024 };
  const transport = recordingTransport(inner);
  const lines: Record<string, unknown>[] = [];
  const log = createLogger({ service: "notifications", level: "debug", sink: (l) => lines.push(JSON.parse(l)) });
  const store = createEventStore(sql, durable);
  let consumer: RunningConsumer | undefined;
  const start = async () => {
    consumer = await startConsumer({
      transport,
      store: wrapStore ? wrapStore(store) : store,
      log,
      source,
      dlq: DLQ_STREAM,
      durable,
      maxDeliver: 3,
      ackWaitMs: 10_000,
      batch: 32,
      maxAckPending: 1_000,
      retry: { baseMs: 60, maxMs: 500 },
      flushMs: 2,
      ...o,
    });
    return consumer;
  };
  await start();
  const source_ = { transport, stream: DLQ_STREAM.name, consumer: durable, log };
  const reader = createDeadLetterReader(source_);

  return {
    tag,
    durable,
    source,
    transport,
    lines,
    reader,
    replayer: createReplayer({ ...source_, reader }),
    get consumer() {
      return consumer as RunningConsumer;
    },
    start,
    publish: (event: { id: string; type: string }, msgId = event.id, headers?: Record<string, string>) =>
      transport.publish({ subject: `${tag}.${event.type === "order.cancelled" ? "cancelled" : "placed"}`, id: msgId, data: encodeEvent(event), headers }),
    publishRaw: (data: Uint8Array, msgId: string) => transport.publish({ subject: `${tag}.placed`, id: msgId, data }),
    notifications: (eventIds: string[]) =>
      sql<{ event_id: string; customer_id: string; delivery_attempts: number; trace_id: string | null; channel: string }[]>`
        SELECT event_id::text AS event_id, customer_id, delivery_attempts, trace_id, channel FROM notifications WHERE event_id = ANY(${eventIds}::uuid[])`,
    processedCount: async (eventIds: string[]) =>
      (await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM processed_events WHERE consumer = ${durable} AND event_id = ANY(${eventIds}::uuid[])`)[0]?.n ??
      0,
    deadLetters: async () => (await reader.list(0, 100)).items.flatMap((r) => (r.ok ? [{ seq: r.message.seq, doc: r.doc }] : [])),
    /** Every delivery of the message settled, and nothing more is pending for the consumer. */
    settled: async () => {
      const lag = await transport.consumerLag(source.name, durable);
      return lag.pending === 0 && lag.ackPending === 0 && transport.deliveries.every((d) => d.settled);
    },
    /** Stops the worker and removes this run's dead letters from the (possibly shared) DLQ stream. */
    async stop() {
      await consumer?.stop();
      for (const { message } of (await reader.list(0, 1_000)).items) await transport.deleteMessage(DLQ_STREAM.name, message.seq);
    },
  };
}
export type Harness = Awaited<ReturnType<typeof startHarness>>;
