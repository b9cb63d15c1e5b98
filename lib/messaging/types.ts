// The messaging interface both transports implement (JetStream, and the embedded one over Postgres tables).

export interface OutgoingMessage {
  subject: string;
  /** Unique message id: a second publish with the same id inside the duplicate window is dropped (Nats-Msg-Id). */
  id: string;
  data: Uint8Array;
  /** Carried end to end (e.g. traceparent); names are case-sensitive as given. */
  headers?: Record<string, string>;
}

export interface PublishAck {
  stream: string;
  seq: number;
  /** True when the broker already had a message with this id and dropped this one. */
  duplicate: boolean;
}

/** The broker will never accept this message (e.g. larger than the stream or server allows): retrying is pointless. */
export class PermanentPublishError extends Error {
  override name = "PermanentPublishError";
}

/** The broker (or the stream) cannot be reached right now: a transient condition, retried in the background. */
export class BrokerUnavailableError extends Error {
  override name = "BrokerUnavailableError";
}

/** Why a stream's acknowledged messages may be in doubt: the connection dropped or came back, or the stream changed leader. */
export type BrokerFault = "disconnect" | "reconnect" | "leader elected" | "quorum lost";

/** A message as stored in a stream (what dead-letter inspection and replay read). */
export interface StoredMessage {
  stream: string;
  seq: number;
  subject: string;
  id: string | undefined;
  data: Uint8Array;
  headers: Record<string, string>;
  publishedAt: Date;
}

export interface Delivery extends StoredMessage {
  /** 1 on the first delivery, 2 on the first redelivery, … */
  deliveryCount: number;
  /** Acknowledges and waits for the broker's confirmation (double ack); after it resolves the message is gone for good. */
  ack(): Promise<void>;
  /** Asks for redelivery after `delayMs` (0 = as soon as possible). */
  nak(delayMs: number): Promise<void>;
  /** Never deliver this message again (after it has been dead-lettered). */
  term(reason: string): Promise<void>;
  /** Extends the ack deadline while a slow handler works. */
  working(): Promise<void>;
}

export interface StreamConfig {
  name: string;
  subjects: string[];
  /** Duplicate-detection window for message ids. */
  duplicateWindowMs: number;
  /** Largest accepted message in bytes (payload + headers); bigger publishes fail with PermanentPublishError. */
  maxMessageBytes?: number;
  /** Drop messages older than this (0 = keep). */
  maxAgeMs?: number;
}

export interface ConsumerConfig {
  stream: string;
  /** Durable name: the consumer's position survives restarts. */
  durable: string;
  filterSubjects: string[];
  /** Unacknowledged deliveries are redelivered after this long. */
  ackWaitMs: number;
  /** Deliveries per message at most (the last one must dead-letter it). */
  maxDeliver: number;
  /** Unacknowledged messages outstanding at most. */
  maxAckPending: number;
}

export interface ConsumeOptions {
  /** Messages requested per pull. */
  batch: number;
  /** Called for every delivery; it must ack, nak or term. A throw is logged and the message is nak'ed at once. */
  handler: (delivery: Delivery) => Promise<void>;
  /** Handlers run at most this many at a time (default 1: in stream order). */
  concurrency?: number;
}

export interface ConsumerLag {
  /** Messages not yet delivered to the consumer. */
  pending: number;
  /** Delivered but not yet acknowledged. */
  ackPending: number;
}

export interface Subscription {
  /**
   * Stops pulling, waits for in-flight handlers to settle (ack/nak/term). Memory and embedded: nothing is redelivered
   * because of the stop. JetStream: a message the server sent into the pull as it was cancelled can come back after
   * ack_wait (nats-io/nats.go#898); the consumer's idempotency makes that a duplicate, never a second effect.
   */
  stop(): Promise<void>;
  /** Resolves when the subscription ends (after stop, or on a fatal error). */
  readonly closed: Promise<void>;
}

export interface Transport {
  /** "jetstream" or "embedded". */
  readonly kind: string;
  /** Creates or updates streams and durable consumers so they match the config (idempotent). */
  ensureStream(config: StreamConfig): Promise<void>;
  ensureConsumer(config: ConsumerConfig): Promise<void>;
  publish(msg: OutgoingMessage, opts?: { timeoutMs?: number }): Promise<PublishAck>;
  consume(config: ConsumerConfig, opts: ConsumeOptions): Promise<Subscription>;
  consumerLag(stream: string, durable: string): Promise<ConsumerLag>;
  /** Messages stored in a stream now (deleted ones excluded), e.g. the dead-letter queue's depth. */
  countMessages(stream: string): Promise<number>;
  /** Stream browsing for dead-letter inspection and replay. */
  listMessages(stream: string, opts: { afterSeq?: number; limit: number }): Promise<StoredMessage[]>;
  getMessage(stream: string, seq: number): Promise<StoredMessage | undefined>;
  deleteMessage(stream: string, seq: number): Promise<boolean>;
  /**
   * Calls `listener` on every broker event after which messages of `stream` the broker acknowledged may be gone
   * (see BrokerFault); returns the unsubscribe. Transports without such events never call it.
   */
  watchFaults(stream: string, listener: (fault: BrokerFault) => void): () => void;
  /** Throws when the broker is unreachable (readiness). */
  ping(): Promise<void>;
  /** Stops every subscription, flushes pending publishes, closes the connection (drain). */
  close(): Promise<void>;
}
