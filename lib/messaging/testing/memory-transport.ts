// Test helper: an in-memory Transport (streams, durable consumers, ack/nak/term, ack_wait, max_deliver) for fast worker tests;
// it passes the same transport suite as JetStream and the embedded broker (memory-transport.test.ts).
import { subjectMatches } from "../embedded/subjects.ts";
import {
  type ConsumerConfig,
  type Delivery,
  PermanentPublishError,
  type StoredMessage,
  type StreamConfig,
  type Subscription,
  type Transport,
} from "../types.ts";

interface Stream {
  config: StreamConfig;
  messages: Map<number, StoredMessage>;
  lastSeq: number;
  ids: Map<string, { seq: number; at: number }>;
}
type State = { deliveries: number; availableAt: number; done: boolean; deadline: number | undefined };
interface Consumer {
  config: ConsumerConfig;
  states: Map<number, State>;
}

const copy = (m: StoredMessage): StoredMessage => ({ ...m, data: m.data.slice(), headers: { ...m.headers } });

export function createMemoryTransport(opts: { pollMs?: number } = {}): Transport {
  const streams = new Map<string, Stream>();
  const consumers = new Map<string, Consumer>();
  const pollMs = opts.pollMs ?? 5;
  const stream = (name: string) => streams.get(name) ?? fail(`no stream ${name}`);
  const consumerOf = (s: string, d: string) => consumers.get(`${s}/${d}`) ?? fail(`no consumer ${s}/${d}`);
  // No filter means the whole stream, as on JetStream and the embedded broker.
  const selects = (filters: string[], subject: string) => filters.length === 0 || filters.some((f) => subjectMatches(f, subject));
  const matching = (c: Consumer) => [...stream(c.config.stream).messages.values()].filter((m) => selects(c.config.filterSubjects, m.subject));
  const stateOf = (c: Consumer, seq: number) => {
    const st = c.states.get(seq) ?? { deliveries: 0, availableAt: 0, done: false, deadline: undefined };
    c.states.set(seq, st);
    return st;
  };

  return {
    kind: "memory",
    async ensureStream(config) {
      const s = streams.get(config.name);
      if (s) s.config = config;
      else streams.set(config.name, { config, messages: new Map(), lastSeq: 0, ids: new Map() });
    },
    async ensureConsumer(config) {
      stream(config.stream);
      const key = `${config.stream}/${config.durable}`;
      const c = consumers.get(key);
      if (c) c.config = config;
      else consumers.set(key, { config, states: new Map() });
    },
    async publish(msg) {
      const s = [...streams.values()].find((x) => x.config.subjects.some((p) => subjectMatches(p, msg.subject)));
      // Like both real transports: no stream (yet) is transient, it may be created in a moment.
      if (!s) throw new Error(`no stream for subject ${msg.subject}`);
      if (msg.data.byteLength > (s.config.maxMessageBytes ?? Number.POSITIVE_INFINITY)) throw new PermanentPublishError("message too large");
      const seen = s.ids.get(msg.id);
      if (seen && Date.now() - seen.at < s.config.duplicateWindowMs) return { stream: s.config.name, seq: seen.seq, duplicate: true };
      const seq = ++s.lastSeq;
      s.ids.set(msg.id, { seq, at: Date.now() });
      s.messages.set(seq, {
        stream: s.config.name,
        seq,
        subject: msg.subject,
        id: msg.id,
        data: msg.data.slice(),
        headers: { ...msg.headers },
        publishedAt: new Date(),
      });
      return { stream: s.config.name, seq, duplicate: false };
    },
    async consume(config, { batch, handler, concurrency = 1 }): Promise<Subscription> {
      const c = consumerOf(config.stream, config.durable);
      const running = new Set<Promise<void>>();
      let stopped = false;
      let closeResolve: () => void = () => {};
      const closed = new Promise<void>((r) => {
        closeResolve = r;
      });
      const deliver = (m: StoredMessage, st: State) => {
        st.deliveries++;
        st.deadline = Date.now() + c.config.ackWaitMs;
        let settled = false;
        const settle = (next: () => void) => async () => {
          if (settled) return;
          settled = true;
          next();
        };
        const d: Delivery = {
          ...copy(m),
          deliveryCount: st.deliveries,
          ack: settle(() => Object.assign(st, { done: true, deadline: undefined })),
          term: (_reason: string) => settle(() => Object.assign(st, { done: true, deadline: undefined }))(),
          nak: (delayMs: number) => settle(() => Object.assign(st, { availableAt: Date.now() + delayMs, deadline: undefined }))(),
          working: async () => {
            if (!settled) st.deadline = Date.now() + c.config.ackWaitMs;
          },
        };
        const p = handler(d)
          .catch(() => d.nak(0))
          .finally(() => running.delete(p));
        running.add(p);
      };
      const loop = async () => {
        while (!stopped) {
          const now = Date.now();
          const pending = [...c.states.values()].filter((st) => !st.done && st.deliveries > 0 && st.deliveries < c.config.maxDeliver);
          let room = Math.min(batch, concurrency - running.size, c.config.maxAckPending - pending.filter((st) => st.deadline !== undefined).length);
          for (const m of matching(c)) {
            if (room <= 0) break;
            const st = stateOf(c, m.seq);
            if (st.done || st.deliveries >= c.config.maxDeliver) continue;
            if (st.deadline !== undefined && st.deadline > now) continue; // in flight
            if (st.availableAt > now) continue;
            deliver(m, st);
            room--;
          }
          await new Promise((r) => setTimeout(r, pollMs));
        }
        await Promise.all(running);
        closeResolve();
      };
      void loop();
      return {
        closed,
        async stop() {
          stopped = true;
          await closed;
        },
      };
    },
    async consumerLag(streamName, durable) {
      const c = consumerOf(streamName, durable);
      let pending = 0;
      let ackPending = 0;
      for (const m of matching(c)) {
        const st = c.states.get(m.seq);
        if (!st || st.deliveries === 0) pending++;
        else if (!st.done && st.deliveries < c.config.maxDeliver) ackPending++;
        else if (!st.done && st.deadline !== undefined) ackPending++;
      }
      return { pending, ackPending };
    },
    async countMessages(name) {
      return stream(name).messages.size;
    },
    async listMessages(name, { afterSeq = 0, limit }) {
      return [...stream(name).messages.values()]
        .filter((m) => m.seq > afterSeq)
        .slice(0, limit)
        .map(copy);
    },
    async getMessage(name, seq) {
      const m = stream(name).messages.get(seq);
      return m && copy(m);
    },
    async deleteMessage(name, seq) {
      return stream(name).messages.delete(seq);
    },
    watchFaults: () => () => {},
    async ping() {},
    async close() {},
  };
}

function fail(msg: string): never {
  throw new Error(msg);
}
