// Stream browsing for dead-letter inspection and replay: list after a sequence, get one, delete one.
import type { JetStreamManager, MsgRequest } from "@nats-io/jetstream";
import type { StoredMessage } from "../types.ts";
import { toStoredMessage } from "./delivery.ts";
import { ApiCode, apiCode } from "./errors.ts";

/**
 * Up to `limit` messages with a sequence above `afterSeq`, in order, skipping deleted ones. Each step asks the
 * server for the first message at or after a sequence (`next_by_subj: ">"`, supported since nats-server 2.9),
 * so gaps cost nothing.
 */
export async function listMessages(jsm: JetStreamManager, stream: string, opts: { afterSeq?: number; limit: number }): Promise<StoredMessage[]> {
  const out: StoredMessage[] = [];
  let seq = Math.max(0, opts.afterSeq ?? 0) + 1;
  while (out.length < opts.limit) {
    // STREAM.MSG.GET accepts seq + next_by_subj (the client's MsgRequest type only lists it for direct gets).
    const m = await jsm.streams.getMessage(stream, { seq, next_by_subj: ">" } as unknown as MsgRequest);
    if (!m) break;
    out.push(toStoredMessage(stream, m));
    seq = m.seq + 1;
  }
  return out;
}

/** The message stored at `seq`, or undefined when there is none (never stored, deleted or aged out). */
export async function getMessage(jsm: JetStreamManager, stream: string, seq: number): Promise<StoredMessage | undefined> {
  if (!Number.isSafeInteger(seq) || seq < 1) return undefined;
  const m = await jsm.streams.getMessage(stream, { seq });
  return m ? toStoredMessage(stream, m) : undefined;
}

/** Removes the message at `seq`; false when there was none. */
export async function deleteMessage(jsm: JetStreamManager, stream: string, seq: number): Promise<boolean> {
  if (!Number.isSafeInteger(seq) || seq < 1) return false;
  try {
    return await jsm.streams.deleteMessage(stream, seq);
  } catch (err) {
    const code = apiCode(err);
    if (code === ApiCode.SequenceNotFound || code === ApiCode.StreamStoreEof || code === ApiCode.NoMessageFound) return false;
    throw err;
  }
}
