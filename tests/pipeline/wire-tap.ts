// Test helper: watches a NATS server's wire from outside the services: every publish on a subject (by Nats-Msg-Id) and every PubAck of a stream.
import type { Msg } from "@nats-io/nats-core";
import { connect } from "@nats-io/transport-node";

export interface WireTap {
  /** Publishes seen per message id (a republish after a relay crash shows as 2 or more). */
  readonly publishes: Map<string, number>;
  /** PubAcks the stream sent, and how many of them reported a duplicate (the stream kept the first copy). */
  readonly acks: { total: number; duplicate: number };
  /** Ids published more than once. */
  republished(): string[];
  /** Resolves at the next publish seen. */
  nextPublish(): Promise<void>;
  close(): Promise<void>;
}

const PUB_ACK_KEYS = new Set(["stream", "seq", "duplicate", "domain"]);

/**
 * A plain NATS subscriber on `subject` sees each publish, including those JetStream then drops as duplicates; one on
 * `_INBOX.>` sees the replies to every requester, among them the PubAcks ({"stream","seq","duplicate"}) the relay gets.
 */
export async function tapWire(url: string, subject: string, stream: string): Promise<WireTap> {
  const nc = await connect({ servers: url, name: "pipeline-wire-tap" });
  const publishes = new Map<string, number>();
  const acks = { total: 0, duplicate: 0 };
  let waiters: (() => void)[] = [];
  nc.subscribe(subject, {
    callback: (_err, m: Msg) => {
      const id = m.headers?.get("Nats-Msg-Id") ?? "";
      publishes.set(id, (publishes.get(id) ?? 0) + 1);
      const w = waiters;
      waiters = [];
      for (const resolve of w) resolve();
    },
  });
  nc.subscribe("_INBOX.>", {
    callback: (_err, m: Msg) => {
      if (m.data.length === 0 || m.data.length > 200) return;
      let reply: unknown;
      try {
        reply = m.json();
      } catch {
        return;
      }
      if (typeof reply !== "object" || reply === null || !Object.keys(reply).every((k) => PUB_ACK_KEYS.has(k))) return;
      const ack = reply as { stream?: unknown; seq?: unknown; duplicate?: unknown };
      if (ack.stream !== stream || typeof ack.seq !== "number") return;
      acks.total++;
      if (ack.duplicate === true) acks.duplicate++;
    },
  });
  await nc.flush();
  return {
    publishes,
    acks,
    republished: () => [...publishes].filter(([, n]) => n > 1).map(([id]) => id),
    nextPublish: () => new Promise<void>((resolve) => waiters.push(resolve)),
    close: () => nc.close(),
  };
}
