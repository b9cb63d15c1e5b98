// Reads this consumer's dead letters from the DLQ stream: a page of summaries, or one in full.
import { AppError } from "../../../lib/http/app-error.ts";
import type { Logger } from "../../../lib/logging/logger.ts";
import { deadLetterSubject } from "../../../lib/messaging/topology.ts";
import type { StoredMessage, Transport } from "../../../lib/messaging/types.ts";
import { type DeadLetterDocument, deadLetterDocument } from "./document.ts";
import type { DeadLetter, DeadLetterSummary } from "./schemas.ts";

export interface DeadLetterSource {
  transport: Transport;
  /** The DLQ stream's name. */
  stream: string;
  /** Only this consumer's dead letters (subjects dlq.<consumer>.>) are shown and replayed. */
  consumer: string;
  log: Logger;
}

export type ReadResult = { ok: true; message: StoredMessage; doc: DeadLetterDocument } | { ok: false; message: StoredMessage; error: string };

const utf8 = new TextDecoder("utf-8", { fatal: true });
/** Messages read per listMessages call, and calls per page at most (other consumers' dead letters are skipped). */
const SCAN_PAGE = 200;
const SCAN_CALLS = 10;

export function readDeadLetter(message: StoredMessage): ReadResult {
  let json: unknown;
  try {
    json = JSON.parse(utf8.decode(message.data));
  } catch {
    return { ok: false, message, error: "not UTF-8 JSON" };
  }
  const parsed = deadLetterDocument.safeParse(json);
  if (!parsed.success)
    return { ok: false, message, error: `not a dead-letter document (${parsed.error.issues[0]?.path.join(".")}: ${parsed.error.issues[0]?.message})` };
  return { ok: true, message, doc: parsed.data };
}

export function toSummary(m: StoredMessage, doc: DeadLetterDocument): DeadLetterSummary {
  return {
    seq: m.seq,
    storedAt: m.publishedAt.toISOString(),
    subject: doc.subject,
    stream: doc.stream,
    streamSeq: doc.seq,
    messageId: doc.id ?? null,
    eventId: doc.eventId ?? null,
    error: doc.error,
    attempts: doc.attempts,
    publishedAt: doc.publishedAt,
    firstAttemptAt: doc.firstAttemptAt ?? null,
    deadAt: doc.deadAt,
  };
}

export function toDeadLetter(m: StoredMessage, doc: DeadLetterDocument): DeadLetter {
  return {
    ...toSummary(m, doc),
    consumer: doc.consumer,
    headers: doc.headers,
    payload: doc.payload,
    encoding: doc.encoding ?? "utf-8",
    truncated: doc.truncated === true,
  };
}

/** The broker failed a call: a 503 (a dependency is down, not the caller's fault); the cause goes to the log. */
export function brokerUnavailable(log: Logger, err: unknown): AppError {
  log.warn("broker call failed", { error: err instanceof Error ? err.message : String(err) });
  return new AppError("service_unavailable", { detail: "The message broker is unavailable; try again later." });
}

export async function brokerCall<T>(log: Logger, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw err instanceof AppError ? err : brokerUnavailable(log, err);
  }
}

export function createDeadLetterReader(src: DeadLetterSource) {
  const prefix = deadLetterSubject(src.consumer, "");
  const mine = (m: StoredMessage) => m.subject.startsWith(prefix);

  return {
    /** Up to `limit` readable dead letters after `afterSeq`, oldest first; `more` when the scan stopped before the end of the stream. */
    async list(afterSeq: number, limit: number): Promise<{ items: ReadResult[]; more: boolean; lastSeq: number }> {
      const items: ReadResult[] = [];
      let cursor = afterSeq;
      for (let call = 0; call < SCAN_CALLS; call++) {
        const page = await brokerCall(src.log, () => src.transport.listMessages(src.stream, { afterSeq: cursor, limit: SCAN_PAGE }));
        for (const m of page) {
          if (items.length === limit) return { items, more: true, lastSeq: cursor };
          cursor = m.seq;
          if (!mine(m)) continue;
          const read = readDeadLetter(m);
          if (read.ok) items.push(read);
          else src.log.warn("unreadable message in the dead-letter stream; skipped", { seq: m.seq, subject: m.subject, error: read.error });
        }
        if (page.length < SCAN_PAGE) return { items, more: false, lastSeq: cursor };
      }
      return { items, more: true, lastSeq: cursor };
    },

    /** One dead letter of this consumer: undefined when absent (or another consumer's). */
    async get(seq: number): Promise<ReadResult | undefined> {
      const m = await brokerCall(src.log, () => src.transport.getMessage(src.stream, seq));
      return m && mine(m) ? readDeadLetter(m) : undefined;
    },
  };
}
export type DeadLetterReader = ReturnType<typeof createDeadLetterReader>;
