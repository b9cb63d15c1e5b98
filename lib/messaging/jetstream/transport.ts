// The JetStream Transport: streams, durable pull consumers, deduplicated publishes and stream browsing over one NATS connection.
import { type JetStreamClient, type JetStreamManager, jetstream, jetstreamManager } from "@nats-io/jetstream";
import { headers as natsHeaders } from "@nats-io/nats-core";
import { type Logger, silentLogger } from "../../logging/logger.ts";
import { type BrokerFault, BrokerUnavailableError, type ConsumerLag, type PublishAck, type Subscription, type Transport } from "../types.ts";
import { deleteMessage, getMessage, listMessages } from "./browse.ts";
import type { ConnectionState } from "./connect.ts";
import { classifyPublishError, describeError, serverAtLeast } from "./errors.ts";
import { startLink } from "./link.ts";
import { ReplicasRefusedError } from "./replicas.ts";
import { ensureConsumer, ensureStream } from "./stream-config.ts";
import { startSubscription } from "./subscription.ts";
import { withTimeout } from "./timeout.ts";

export interface JetStreamTransportOptions {
  /** One or more comma-separated server URLs: nats://, tls://, or ws:// / wss:// (not mixed with TCP). */
  url: string;
  /** Connection name shown by the server (the service name). */
  name: string;
  log?: Logger;
  /** Replicas of every stream this transport creates or updates (NATS_STREAM_REPLICAS; default 1). */
  streamReplicas?: number;
}

const PUBLISH_TIMEOUT_MS = 5_000;
const PING_TIMEOUT_MS = 2_000;
const CLOSE_TIMEOUT_MS = 10_000;
/** How long a management call (ensure, lag, browse) waits for a first connection before it fails as unavailable. */
const API_WAIT_MS = 5_000;

interface Session {
  conn: ConnectionState;
  jsm: JetStreamManager;
  js: JetStreamClient;
}

/** Advisory subjects after which a stream's acknowledged messages may be in doubt. */
const ADVISORIES: [string, BrokerFault][] = [
  ["$JS.EVENT.ADVISORY.STREAM.LEADER_ELECTED", "leader elected"],
  ["$JS.EVENT.ADVISORY.STREAM.QUORUM_LOST", "quorum lost"],
];

/**
 * Resolves at once: the connection is opened in the background (a process starts while NATS is away), and each
 * call waits for it at most its own timeout, then fails with BrokerUnavailableError.
 */
export async function createJetStreamTransport(opts: JetStreamTransportOptions): Promise<Transport> {
  const log = (opts.log ?? silentLogger).child({ component: "jetstream" });
  const replicas = opts.streamReplicas ?? 1;
  const faultListeners = new Map<string, Set<(f: BrokerFault) => void>>();
  const emit = (stream: string | undefined, fault: BrokerFault) => {
    for (const [s, ls] of faultListeners) if (stream === undefined || s === stream) for (const l of ls) l(fault);
  };
  const link = startLink(opts.url, opts.name, log, (what) => emit(undefined, what));
  let session: Session | undefined;
  const watched = new Set<string>();

  const watchAdvisories = (s: Session, stream: string) => {
    for (const [prefix, fault] of ADVISORIES) s.conn.nc.subscribe(`${prefix}.${stream}`, { callback: () => emit(stream, fault) });
  };

  const sessionWithin = async (ms: number): Promise<Session> => {
    if (session) return session;
    const conn = await link.get(ms);
    if (!session) {
      // checkAPI off: the account check ("jetstream is not enabled") fails for reasons that have nothing to do with
      // JetStream (a stream's node away, a meta election); each call reports its own error instead.
      session = { conn, jsm: await jetstreamManager(conn.nc, { checkAPI: false }), js: jetstream(conn.nc) };
      for (const stream of watched) watchAdvisories(session, stream);
    }
    return session;
  };
  /** Runs a management call on the session; failures other than refusals say which stream is unavailable. */
  const onStream = async <T>(stream: string, call: (s: Session) => Promise<T>): Promise<T> => {
    try {
      return await call(await sessionWithin(API_WAIT_MS));
    } catch (err) {
      if (err instanceof ReplicasRefusedError) throw err;
      const reason = err instanceof BrokerUnavailableError ? err.message : describeError(err);
      throw new BrokerUnavailableError(`stream ${stream} unavailable: ${reason}`, { cause: err });
    }
  };
  const subscriptions = new Set<Subscription>();
  let closing: Promise<void> | undefined;

  return {
    kind: "jetstream",

    ensureStream: (config) => onStream(config.name, (s) => ensureStream(s.jsm, config, log, { replicas, clustered: Boolean(s.conn.nc.info?.cluster) })),

    ensureConsumer: (config) => onStream(config.stream, (s) => ensureConsumer(s.jsm, config, serverAtLeast(s.conn.nc, "2.10.0"), log)),

    async publish(msg, o): Promise<PublishAck> {
      const timeout = o?.timeoutMs ?? PUBLISH_TIMEOUT_MS;
      const { js } = await sessionWithin(timeout);
      try {
        const h = natsHeaders();
        for (const [k, v] of Object.entries(msg.headers ?? {})) h.set(k, v);
        const ack = await js.publish(msg.subject, msg.data, { msgID: msg.id, headers: h, timeout });
        return { stream: ack.stream, seq: ack.seq, duplicate: ack.duplicate };
      } catch (err) {
        throw classifyPublishError(err, msg.subject);
      }
    },

    async consume(config, o) {
      const s = await sessionWithin(API_WAIT_MS);
      const sub = await startSubscription(config, o, {
        nc: s.conn.nc,
        js: s.js,
        connected: s.conn.connected,
        log,
        settle: { timeoutMs: 2_000, attempts: 3 },
        expiresMs: 10_000,
        drainTimeoutMs: 5_000,
      });
      subscriptions.add(sub);
      void sub.closed.then(() => subscriptions.delete(sub));
      return sub;
    },

    consumerLag: (stream, durable): Promise<ConsumerLag> =>
      onStream(stream, async (s) => {
        const ci = await s.jsm.consumers.info(stream, durable);
        return { pending: ci.num_pending, ackPending: ci.num_ack_pending };
      }),

    countMessages: (stream) => onStream(stream, async (s) => (await s.jsm.streams.info(stream)).state.messages),

    listMessages: async (stream, o) => listMessages((await sessionWithin(API_WAIT_MS)).jsm, stream, o),
    getMessage: async (stream, seq) => getMessage((await sessionWithin(API_WAIT_MS)).jsm, stream, seq),
    deleteMessage: async (stream, seq) => deleteMessage((await sessionWithin(API_WAIT_MS)).jsm, stream, seq),

    watchFaults(stream, listener) {
      const set = faultListeners.get(stream) ?? new Set();
      faultListeners.set(stream, set);
      set.add(listener);
      if (!watched.has(stream)) {
        watched.add(stream);
        if (session) watchAdvisories(session, stream);
      }
      return () => set.delete(listener);
    },

    async ping() {
      const conn = await link.get(PING_TIMEOUT_MS);
      if (!conn.connected()) throw new BrokerUnavailableError("NATS is disconnected");
      await withTimeout(conn.nc.rtt(), PING_TIMEOUT_MS, "NATS ping");
    },

    close() {
      closing ??= (async () => {
        link.stop();
        await Promise.allSettled([...subscriptions].map((s) => s.stop()));
        const conn = link.current;
        if (!conn || conn.nc.isClosed()) return;
        const { nc } = conn;
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
