// Claims an event across replicas before it goes to the channel: batched with the processed check, waits while another replica holds it.
import { createBatcher } from "./batcher.ts";
import type { ClaimState, EventStore } from "./event-store.ts";

export interface ReplicaClaimsOptions {
  store: EventStore;
  /** This worker instance (random per process): a claim it holds is renewed, never waited for. */
  owner: string;
  /** How long a claim holds; the consumer's ack_wait (a delivery running longer is redelivered anyway). */
  leaseMs: number;
  batchSize: number;
  flushMs: number;
  /** How often a waiting delivery looks again (default 200 ms). */
  pollMs?: number;
}

/** done: processed already (acknowledge); claimed: ours, send it; busy: still held elsewhere after waiting a lease (retry later). */
export type ClaimOutcome = "done" | "claimed" | "busy";

export interface ReplicaClaims {
  /**
   * Claims `eventId`. While another replica holds it, waits (calling `working` so the broker does not redeliver
   * meanwhile) until that replica recorded it (done) or its claim expired (claimed: it died or gave up), for at most
   * one lease plus a poll.
   */
  acquire(eventId: string, working: () => Promise<void>): Promise<ClaimOutcome>;
  /** Gives the claim up after a failed send, so another replica can take the event at once. Never throws. */
  release(eventId: string): Promise<void>;
}

export function createReplicaClaims(opts: ReplicaClaimsOptions): ReplicaClaims {
  const pollMs = opts.pollMs ?? 200;
  const claims = createBatcher<string, ClaimState>({
    maxSize: opts.batchSize,
    maxWaitMs: opts.flushMs,
    run: async (ids) => {
      const states = await opts.store.claim(ids, opts.owner, opts.leaseMs);
      return ids.map((id) => states.get(id) ?? { state: "busy", forMs: opts.leaseMs });
    },
  });

  return {
    async acquire(eventId, working) {
      const deadline = Date.now() + opts.leaseMs + pollMs;
      for (;;) {
        const s = await claims.submit(eventId);
        if (s.state !== "busy") return s.state;
        if (Date.now() >= deadline) return "busy";
        await working().catch(() => {});
        await Bun.sleep(Math.max(10, Math.min(pollMs, s.forMs)));
      }
    },
    async release(eventId) {
      await opts.store.release(eventId, opts.owner).catch(() => {});
    },
  };
}
