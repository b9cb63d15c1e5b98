// Runs the durable consumer: ensures the streams and the consumer, feeds deliveries to the worker, resubscribes if the subscription dies, stops cleanly.
import type { Logger } from "../../../lib/logging/logger.ts";
import { type BackoffPolicy, backoffDelay } from "../../../lib/messaging/backoff.ts";
import type { ConsumerConfig, StreamConfig, Subscription, Transport } from "../../../lib/messaging/types.ts";
import type { Tracing } from "../../../lib/telemetry/tracer.ts";
import type { Channel } from "../channels/channel.ts";
import { createDeliveryWorker, type WorkerStats } from "./delivery-worker.ts";
import type { EventStore } from "./event-store.ts";
import type { WorkerMetrics } from "./worker-metrics.ts";

/**
 * Deliveries the broker allows beyond CONSUMER_MAX_DELIVER. They are never used for processing: they
 * give a message whose dead-lettering failed (DLQ unreachable) or whose last attempt never settled
 * (crash, ack_wait) more chances to reach the DLQ instead of being left behind by the broker.
 */
export const DEAD_LETTER_SPARE_DELIVERIES = 5;
const RESUBSCRIBE_BACKOFF: BackoffPolicy = { baseMs: 200, maxMs: 10_000 };

export interface ConsumerOptions {
  transport: Transport;
  store: EventStore;
  channel: Channel;
  log: Logger;
  /** The stream consumed (ORDERS) and the dead-letter stream (DLQ); both are ensured at start. */
  source: StreamConfig;
  dlq: StreamConfig;
  durable: string;
  /** Default: every subject of the source stream. */
  filterSubjects?: string[];
  maxDeliver: number;
  ackWaitMs: number;
  /** Messages per pull, handlers in flight and events per database batch. */
  batch: number;
  maxAckPending: number;
  retry: BackoffPolicy;
  flushMs?: number;
  /** Handlers in flight at most (default 2 × batch: one batch fills and sends while the previous one commits and acks). */
  concurrency?: number;
  metrics?: WorkerMetrics;
  /** The tracing the transport was opened with: the worker logs and passes on its consumer spans' ids (default: off). */
  tracing?: Tracing | undefined;
}

export interface RunningConsumer {
  readonly config: ConsumerConfig;
  readonly stats: WorkerStats;
  /** False after a subscription died, until it is re-established. */
  readonly healthy: boolean;
  /** Stops pulling, lets in-flight deliveries finish and settle, then resolves. */
  stop(): Promise<void>;
}

export function consumerConfig(
  o: Pick<ConsumerOptions, "source" | "durable" | "filterSubjects" | "ackWaitMs" | "maxDeliver" | "maxAckPending">,
): ConsumerConfig {
  return {
    stream: o.source.name,
    durable: o.durable,
    filterSubjects: o.filterSubjects ?? o.source.subjects,
    ackWaitMs: o.ackWaitMs,
    maxDeliver: o.maxDeliver + DEAD_LETTER_SPARE_DELIVERIES,
    maxAckPending: o.maxAckPending,
  };
}

export async function startConsumer(opts: ConsumerOptions): Promise<RunningConsumer> {
  const { transport, log } = opts;
  await transport.ensureStream(opts.source);
  await transport.ensureStream(opts.dlq);
  const config = consumerConfig(opts);
  await transport.ensureConsumer(config);
  const worker = createDeliveryWorker({
    consumer: opts.durable,
    transport,
    store: opts.store,
    channel: opts.channel,
    log,
    maxDeliver: opts.maxDeliver,
    retry: opts.retry,
    // A delivery running longer than ack_wait is redelivered anyway: the claim need not outlive it.
    claimLeaseMs: opts.ackWaitMs,
    batchSize: opts.batch,
    flushMs: opts.flushMs,
    metrics: opts.metrics,
    tracing: opts.tracing,
  });
  const concurrency = opts.concurrency ?? 2 * opts.batch;
  const subscribe = () => transport.consume(config, { batch: opts.batch, concurrency, handler: worker.handle });

  let stopping = false;
  let healthy = true;
  let wake: (() => void) | undefined;
  let current: Subscription = await subscribe();
  // A subscription that ends without stop() (a fatal broker error) is re-established with backoff.
  const supervise = async () => {
    for (let attempt = 1; !stopping; ) {
      await current.closed;
      if (stopping) return;
      healthy = false;
      const delay = backoffDelay(attempt, RESUBSCRIBE_BACKOFF);
      log.error("consumer subscription ended unexpectedly; resubscribing", { durable: config.durable, retry_in_ms: delay });
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      if (stopping) return;
      try {
        current = await subscribe();
        healthy = true;
        attempt = 1;
        log.info("consumer resubscribed", { durable: config.durable });
      } catch (err) {
        attempt++;
        log.error("resubscribing failed", { error: err instanceof Error ? err.message : String(err) });
      }
    }
  };
  const supervisor = supervise();
  log.info("consumer started", { stream: config.stream, durable: config.durable, max_deliver: opts.maxDeliver, batch: opts.batch, transport: transport.kind });

  return {
    config,
    stats: worker.stats,
    get healthy() {
      return healthy;
    },
    async stop() {
      stopping = true;
      wake?.();
      await current.stop();
      await supervisor;
      log.info("consumer stopped", { ...worker.stats });
    },
  };
}
