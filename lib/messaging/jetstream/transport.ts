// The JetStream Transport: streams, durable pull consumers, deduplicated publishes and stream browsing over one NATS connection.
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { headers as natsHeaders } from "@nats-io/nats-core";
import { type Logger, silentLogger } from "../../logging/logger.ts";
import type { ConsumerLag, PublishAck, Subscription, Transport } from "../types.ts";
import { deleteMessage, getMessage, listMessages } from "./browse.ts";
import { openConnection } from "./connect.ts";
import { classifyPublishError, serverAtLeast } from "./errors.ts";
import { ensureConsumer, ensureStream } from "./stream-config.ts";
import { startSubscription } from "./subscription.ts";
import { withTimeout } from "./timeout.ts";

export interface JetStreamTransportOptions {
  /** One or more comma-separated server URLs: nats://, tls://, or ws:// / wss:// (not mixed with TCP). */
  url: string;
  /** Connection name shown by the server (the service name). */
  name: string;
  log?: Logger;
}

const PUBLISH_TIMEOUT_MS = 5_000;
const PING_TIMEOUT_MS = 2_000;
const CLOSE_TIMEOUT_MS = 10_000;

export async function createJetStreamTransport(opts: JetStreamTransportOptions): Promise<Transport> {
  const log = (opts.log ?? silentLogger).child({ component: "jetstream" });
  const conn = await openConnection(opts.url, opts.name, log);
  const { nc } = conn;
  let jsm: Awaited<ReturnType<typeof jetstreamManager>>;
  try {
    jsm = await jetstreamManager(nc); // fails when the server has no JetStream
  } catch (err) {
    await nc.close().catch(() => {});
    throw new Error(`JetStream is not available on the NATS server: ${(err as Error).message}`, { cause: err });
  }
  const js = jetstream(nc);
  const subscriptions = new Set<Subscription>();
  let closing: Promise<void> | undefined;

  return {
    kind: "jetstream",

    ensureStream: (config) => ensureStream(jsm, config, log),

    ensureConsumer: (config) => ensureConsumer(jsm, config, serverAtLeast(nc, "2.10.0"), log),

    async publish(msg, o): Promise<PublishAck> {
      try {
        const h = natsHeaders();
        for (const [k, v] of Object.entries(msg.headers ?? {})) h.set(k, v);
        const ack = await js.publish(msg.subject, msg.data, { msgID: msg.id, headers: h, timeout: o?.timeoutMs ?? PUBLISH_TIMEOUT_MS });
        return { stream: ack.stream, seq: ack.seq, duplicate: ack.duplicate };
      } catch (err) {
        throw classifyPublishError(err, msg.subject);
      }
    },

    async consume(config, o) {
      const sub = await startSubscription(config, o, {
        nc,
        js,
        connected: conn.connected,
        log,
        settle: { timeoutMs: 2_000, attempts: 3 },
        expiresMs: 10_000,
        drainTimeoutMs: 5_000,
      });
      subscriptions.add(sub);
      void sub.closed.then(() => subscriptions.delete(sub));
      return sub;
    },

    async consumerLag(stream, durable): Promise<ConsumerLag> {
      const ci = await jsm.consumers.info(stream, durable);
      return { pending: ci.num_pending, ackPending: ci.num_ack_pending };
    },

    async countMessages(stream) {
      return (await jsm.streams.info(stream)).state.messages;
    },

    listMessages: (stream, o) => listMessages(jsm, stream, o),
    getMessage: (stream, seq) => getMessage(jsm, stream, seq),
    deleteMessage: (stream, seq) => deleteMessage(jsm, stream, seq),

    async ping() {
      if (!conn.connected()) throw new Error("NATS is disconnected");
      await withTimeout(nc.rtt(), PING_TIMEOUT_MS, "NATS ping");
    },

    close() {
      closing ??= (async () => {
        await Promise.allSettled([...subscriptions].map((s) => s.stop()));
        if (nc.isClosed()) return;
        // Without a server there is nothing to flush to: waiting for one would only hold up the shutdown.
        if (!conn.connected()) return nc.close();
        // drain() flushes what is still buffered; bounded in case the server goes away meanwhile.
        await withTimeout(nc.drain(), CLOSE_TIMEOUT_MS, "NATS drain").catch(async (err) => {
          log.warn("nats drain did not finish; closing", { err: (err as Error).message });
          await nc.close().catch(() => {});
        });
      })();
      return closing;
    },
  };
}
