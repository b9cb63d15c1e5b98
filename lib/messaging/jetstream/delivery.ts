// Maps JetStream messages to the transport's Delivery/StoredMessage shapes, with confirmed (double) ack, nak, term and working.
import type { JsMsg, StoredMsg } from "@nats-io/jetstream";
import { type MsgHdrs, type NatsConnection, nanos, RequestError, TimeoutError } from "@nats-io/nats-core";
import type { Logger } from "../../logging/logger.ts";
import type { Delivery, StoredMessage } from "../types.ts";
import { serverAtLeast } from "./errors.ts";

const MSG_ID = "Nats-Msg-Id";
const enc = new TextEncoder();

/** Headers as a plain object, without Nats-Msg-Id (that one becomes `id`). */
export function plainHeaders(h: MsgHdrs | undefined): { id: string | undefined; headers: Record<string, string> } {
  const headers: Record<string, string> = {};
  let id: string | undefined;
  for (const k of h?.keys() ?? []) {
    const v = h?.get(k) ?? "";
    if (k.toLowerCase() === MSG_ID.toLowerCase()) id = v || undefined;
    else headers[k] = v;
  }
  return { id, headers };
}

export function toStoredMessage(stream: string, m: StoredMsg): StoredMessage {
  return { stream, seq: m.seq, subject: m.subject, data: m.data, publishedAt: m.time, ...plainHeaders(m.header) };
}

export interface SettleOptions {
  /** Per attempt; an unanswered ack is retried. */
  timeoutMs: number;
  attempts: number;
}

/** Sends an ack-family payload to the message's reply subject and waits for the server's confirmation. */
async function settle(nc: NatsConnection, reply: string, payload: Uint8Array, o: SettleOptions): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await nc.request(reply, payload, { timeout: o.timeoutMs });
      return;
    } catch (err) {
      const retryable = err instanceof TimeoutError || (err instanceof RequestError && err.isNoResponders());
      if (!retryable || attempt >= o.attempts) {
        const verb = new TextDecoder().decode(payload).split(" ")[0];
        throw new Error(`${verb} not confirmed by the server after ${attempt} attempt(s): ${(err as Error).message}`, { cause: err });
      }
      await new Promise((r) => setTimeout(r, 100 * attempt));
    }
  }
}

export interface TrackedDelivery {
  delivery: Delivery;
  /** True once ack, nak or term was sent (even if its confirmation failed). */
  settled(): boolean;
}

/** The ack subject. JsMsg's own ackAck() can't be retried (it marks the message acked before sending), so acks go through it directly. */
function replyOf(m: JsMsg): string {
  const reply = (m as JsMsg & { reply?: string }).reply;
  if (!reply) throw new Error(`JetStream message on ${m.subject} has no ack subject`);
  return reply;
}

export function toDelivery(nc: NatsConnection, m: JsMsg, log: Logger, o: SettleOptions): TrackedDelivery {
  let settled = false;
  const reply = replyOf(m);
  const send = (payload: string, final = true) => {
    if (final) settled = true;
    return settle(nc, reply, enc.encode(payload), o);
  };
  const info = m.info;
  const delivery: Delivery = {
    stream: info.stream,
    seq: info.streamSequence,
    subject: m.subject,
    data: m.data,
    ...plainHeaders(m.headers),
    publishedAt: m.time,
    deliveryCount: info.deliveryCount,
    ack: () => send("+ACK"),
    nak: (delayMs) => send(delayMs >= 1 ? `-NAK ${JSON.stringify({ delay: nanos(Math.round(delayMs)) })}` : "-NAK"),
    term: (reason) => {
      log.debug("message terminated", { stream: info.stream, seq: info.streamSequence, reason });
      // Before 2.11 the server only understands a bare +TERM: "+TERM reason" would be ignored and the message redelivered.
      return send(reason && serverAtLeast(nc, "2.11.0") ? `+TERM ${reason.replace(/[\r\n]+/g, " ")}` : "+TERM");
    },
    working: () => send("+WPI", false),
  };
  return { delivery, settled: () => settled };
}
