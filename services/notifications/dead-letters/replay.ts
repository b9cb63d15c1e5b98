// Replays dead letters to their original subject (original payload and headers, a new message id), then removes them from the DLQ.
import { AppError } from "../../../lib/http/app-error.ts";
import { PermanentPublishError } from "../../../lib/messaging/types.ts";
import { brokerUnavailable, type DeadLetterReader, type DeadLetterSource } from "./dead-letter-reader.ts";
import { type DeadLetterDocument, decodePayload, replayMessageId } from "./document.ts";
import type { ReplayAllResult, ReplayResult } from "./schemas.ts";

const REPLAY_CONCURRENCY = 8;

/** The original headers minus the broker's own (Nats-Msg-Id and friends are set by the publish itself). */
export const replayHeaders = (headers: Record<string, string>) => Object.fromEntries(Object.entries(headers).filter(([k]) => !/^nats-/i.test(k)));

export function createReplayer(src: DeadLetterSource & { reader: DeadLetterReader; publishTimeoutMs?: number }) {
  const { transport, log } = src;

  const publish = async (dlqSeq: number, doc: DeadLetterDocument) => {
    const messageId = replayMessageId(doc, dlqSeq);
    try {
      const ack = await transport.publish(
        { subject: doc.subject, id: messageId, data: decodePayload(doc), headers: replayHeaders(doc.headers) },
        { timeoutMs: src.publishTimeoutMs ?? 5_000 },
      );
      return { messageId, ack };
    } catch (err) {
      if (err instanceof PermanentPublishError) {
        throw new AppError("dead_letter_not_replayable", { detail: `The broker refuses the message on ${doc.subject}: ${err.message}` });
      }
      throw brokerUnavailable(log, err);
    }
  };

  /**
   * Publishes the dead letter's original message again. The event id inside is unchanged, so the consumer's
   * processed_events check still drops an event that was processed meanwhile: a replay never doubles an effect.
   */
  const replayOne = async (seq: number): Promise<ReplayResult> => {
    const read = await src.reader.get(seq);
    if (!read) throw new AppError("not_found", { detail: `No dead letter ${seq}.` });
    if (!read.ok) throw new AppError("dead_letter_not_replayable", { detail: `DLQ message ${seq} is ${read.error}.` });
    const { doc } = read;
    if (doc.truncated) {
      throw new AppError("dead_letter_not_replayable", {
        detail: `Dead letter ${seq} holds only the start of its payload; the original is message ${doc.seq} of stream ${doc.stream}.`,
      });
    }
    const { messageId, ack } = await publish(seq, doc);
    // Published: a failed delete leaves the dead letter behind, and replaying it again publishes the same id (dropped as a duplicate).
    let removed = false;
    try {
      // false when a concurrent replay already removed it: report what this call did.
      removed = await transport.deleteMessage(src.stream, seq);
    } catch (err) {
      removed = false;
      log.warn("replayed dead letter could not be removed from the DLQ", { seq, error: err instanceof Error ? err.message : String(err) });
    }
    log.info("dead letter replayed", {
      seq,
      subject: doc.subject,
      message_id: messageId,
      event_id: doc.eventId,
      stream_seq: ack.seq,
      duplicate: ack.duplicate,
    });
    return { seq, subject: doc.subject, messageId, stream: ack.stream, streamSeq: ack.seq, duplicate: ack.duplicate, removed };
  };

  /** Replays up to `limit` dead letters, oldest first; those dead-lettered again meanwhile wait for the next call. */
  const replayAll = async (limit: number): Promise<ReplayAllResult> => {
    const { items, more } = await src.reader.list(0, limit);
    const results: ReplayAllResult["results"] = new Array(items.length);
    let next = 0;
    const worker = async () => {
      for (let i = next++; i < items.length; i = next++) {
        const seq = items[i]?.message.seq ?? 0;
        try {
          results[i] = { seq, status: "replayed", messageId: (await replayOne(seq)).messageId };
        } catch (err) {
          results[i] = { seq, status: "failed", error: err instanceof AppError ? (err.detail ?? err.code) : String(err) };
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(REPLAY_CONCURRENCY, items.length) }, worker));
    const replayed = results.filter((r) => r.status === "replayed").length;
    return { replayed, failed: results.length - replayed, results, more };
  };

  return { replayOne, replayAll };
}
export type Replayer = ReturnType<typeof createReplayer>;
