// The dead-letter document the worker stores in the DLQ stream: the full original message, the error, attempts and times.
import { Buffer } from "node:buffer";
import { z } from "zod";
import type { Delivery } from "../../../lib/messaging/types.ts";

export const deadLetterDocument = z.object({
  consumer: z.string().min(1),
  stream: z.string().min(1),
  /** The original message's sequence in its stream. */
  seq: z.number().int().positive(),
  subject: z.string().min(1),
  /** The original message id (Nats-Msg-Id), when it had one. */
  id: z.string().optional(),
  eventId: z.string().optional(),
  /** The original headers, as delivered. */
  headers: z.record(z.string(), z.string()),
  /** The original bytes: UTF-8 text, or base64 when `encoding` says so. */
  payload: z.string(),
  encoding: z.literal("base64").optional(),
  /** Only the start of the payload is here (the whole document was too large for the broker); the original stays in `stream` at `seq`. */
  truncated: z.literal(true).optional(),
  error: z.string(),
  /** Deliveries so far, the failing one included. */
  attempts: z.number().int().min(1),
  publishedAt: z.iso.datetime(),
  firstAttemptAt: z.iso.datetime().optional(),
  deadAt: z.iso.datetime(),
});
export type DeadLetterDocument = z.infer<typeof deadLetterDocument>;

const MAX_ERROR_LENGTH = 2_000;
const utf8 = new TextDecoder("utf-8", { fatal: true });

export interface DeadLetterInfo {
  consumer: string;
  error: string;
  eventId?: string | undefined;
  firstAttemptAt?: Date | undefined;
  deadAt: Date;
}

export function buildDeadLetter(d: Delivery, info: DeadLetterInfo): DeadLetterDocument {
  const doc: DeadLetterDocument = {
    consumer: info.consumer,
    stream: d.stream,
    seq: d.seq,
    subject: d.subject,
    headers: { ...d.headers },
    ...encodePayload(d.data),
    error: info.error.length > MAX_ERROR_LENGTH ? `${info.error.slice(0, MAX_ERROR_LENGTH)}…` : info.error,
    attempts: d.deliveryCount,
    publishedAt: d.publishedAt.toISOString(),
    deadAt: info.deadAt.toISOString(),
  };
  if (d.id !== undefined) doc.id = d.id;
  if (info.eventId !== undefined) doc.eventId = info.eventId;
  if (info.firstAttemptAt) doc.firstAttemptAt = info.firstAttemptAt.toISOString();
  return doc;
}

/** Characters of payload a truncated dead letter keeps. */
export const TRUNCATED_PAYLOAD_CHARS = 16 * 1024;

/** The document with only the start of its payload, for when the broker refuses the whole one (too large). */
export function truncateDeadLetter(doc: DeadLetterDocument): DeadLetterDocument {
  return { ...doc, payload: doc.payload.slice(0, TRUNCATED_PAYLOAD_CHARS), truncated: true };
}

export function encodePayload(data: Uint8Array): { payload: string; encoding?: "base64" } {
  try {
    return { payload: utf8.decode(data) };
  } catch {
    return { payload: Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("base64"), encoding: "base64" };
  }
}

export function decodePayload(doc: Pick<DeadLetterDocument, "payload" | "encoding">): Uint8Array {
  return doc.encoding === "base64" ? new Uint8Array(Buffer.from(doc.payload, "base64")) : new TextEncoder().encode(doc.payload);
}

/** Message id of a dead letter: a second dead-lettering of the same message (after a crash) is dropped as a duplicate. */
export const deadLetterMessageId = (consumer: string, stream: string, seq: number): string => `dlq:${consumer}:${stream}:${seq}`;

/**
 * Message id of a replay: new (so the broker's duplicate window does not drop it), the same for every replay
 * of one dead letter (so replaying it twice inside the window publishes once), without growing on re-replays.
 */
export function replayMessageId(doc: Pick<DeadLetterDocument, "id" | "stream" | "seq">, dlqSeq: number): string {
  const base = (doc.id ?? `${doc.stream}:${doc.seq}`).replace(/(:replay:\d+)+$/, "");
  return `${base}:replay:${dlqSeq}`;
}
