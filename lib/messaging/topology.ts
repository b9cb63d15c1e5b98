// The platform's streams and their settings as code: ORDERS for domain events, DLQ for dead letters.
import type { StreamConfig } from "./types.ts";

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

export const ORDERS_STREAM: StreamConfig = {
  name: "ORDERS",
  subjects: ["orders.>"],
  // ≥ 10 min: a relay that crashes after publishing but before marking rows republishes within this window.
  duplicateWindowMs: 20 * MINUTE,
  maxMessageBytes: 1024 * 1024,
  maxAgeMs: 7 * DAY,
};

export const DLQ_STREAM: StreamConfig = {
  name: "DLQ",
  subjects: ["dlq.>"],
  duplicateWindowMs: 20 * MINUTE,
  maxMessageBytes: 8 * 1024 * 1024,
  maxAgeMs: 0,
};

/** Dead letters of consumer `durable` for a message on `subject` go to `dlq.<durable>.<subject>`. */
export const deadLetterSubject = (durable: string, subject: string): string => `dlq.${durable}.${subject}`;
