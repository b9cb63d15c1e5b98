// Heals broker failover losses: after a fault, re-publishes the rows published around it with the same Nats-Msg-Id.
import type { Sql } from "../../../lib/db/postgres.ts";
import type { Logger } from "../../../lib/logging/logger.ts";
import type { OutgoingMessage, PublishAck } from "../../../lib/messaging/types.ts";
import type { RelayMetrics } from "./outbox-metrics.ts";
import { publishedWithin } from "./outbox-store.ts";

export interface RepublishOptions {
  sql: Sql;
  publish: (m: OutgoingMessage) => Promise<PublishAck>;
  log: Logger;
  metrics?: RelayMetrics;
  /** Rows published this long before a fault are checked too (acknowledged, then lost with the old leader). */
  beforeMs?: number;
  /** A pass runs once no fault was seen for this long (a new leader settled), or when a window has been open for maxOpenMs. */
  settleMs?: number;
  maxOpenMs?: number;
  /** Rows older than this are never re-published: past the stream's duplicate window a re-publish would store a second copy. */
  maxAgeMs: number;
  /** Most publish records kept (oldest dropped first). */
  capacity?: number;
  /**
   * After taking the lease over from a leader that stopped renewing it: rows published (by anyone) this long before
   * are re-checked, since a dead leader's pending pass never ran. Capped by maxAgeMs.
   */
  takeoverLookbackMs?: number;
}

export interface RepublishStats {
  passes: number;
  /** Re-published rows the broker still had (duplicate acknowledgement). */
  confirmed: number;
  /** Re-published rows the broker had lost and stored again. */
  restored: number;
}

export interface Republisher {
  readonly stats: RepublishStats;
  /** Rows whose publish the broker acknowledged, now (after their rows were marked published). */
  published(ids: readonly string[]): void;
  /** A broker fault the relay saw (publish error, timeout, reconnect, leader change). */
  fault(what: string): void;
  /** This relay took the lease over from one that stopped renewing it: re-check what anyone published lately. */
  takeover(): void;
  /** Runs the re-publish pass when one is due (`now`: regardless of the settle time); cheap when none is. */
  runDue(now?: boolean): Promise<void>;
  /** A window waits for its pass (or its pass failed): a leader stopping now leaves rows unchecked. */
  readonly pending: boolean;
}

const enc = new TextEncoder();
const CHUNK = 256;

export function createRepublisher(o: RepublishOptions): Republisher {
  const beforeMs = o.beforeMs ?? 5_000;
  const settleMs = o.settleMs ?? 3_000;
  const maxOpenMs = o.maxOpenMs ?? 30_000;
  const capacity = o.capacity ?? 200_000;
  const takeoverLookbackMs = Math.min(o.takeoverLookbackMs ?? 45_000, o.maxAgeMs);
  const stats: RepublishStats = { passes: 0, confirmed: 0, restored: 0 };
  // Publish records in time order: ids[i] acknowledged at at[i]. Without faults this is an append and a trim.
  let ids: string[] = [];
  let at: number[] = [];
  let head = 0;
  // adoptFrom (local clock): rows the database says were published since then are checked too, whoever published them.
  let window: { from: number; openedAt: number; lastFault: number; faults: Set<string>; adoptFrom?: number } | undefined;
  // Rows of a pass that failed again: tried in the next pass.
  const retry = new Map<string, number>();

  const trim = (now: number) => {
    const keepFrom = window ? Math.min(window.from, now - beforeMs) : now - beforeMs;
    while (head < ids.length && ((at[head] as number) < keepFrom || ids.length - head > capacity)) head++;
    if (head > 4_096 && head * 2 > ids.length) {
      ids = ids.slice(head);
      at = at.slice(head);
      head = 0;
    }
  };

  const pass = async (from: number, faults: string[], adoptFrom: number | undefined) => {
    const now = Date.now();
    const chosen = new Map<string, number>(retry);
    retry.clear();
    for (let i = head; i < ids.length; i++) if ((at[i] as number) >= from) chosen.set(ids[i] as string, at[i] as number);
    if (adoptFrom !== undefined) {
      for (const r of await publishedWithin(o.sql, Math.min(now - adoptFrom, o.maxAgeMs))) if (!chosen.has(r.id)) chosen.set(r.id, now - r.age_ms);
    }
    for (const [id, t] of chosen) if (now - t > o.maxAgeMs) chosen.delete(id);
    if (chosen.size === 0) return;
    let confirmed = 0;
    let restored = 0;
    let failed = 0;
    const all = [...chosen.keys()];
    for (let i = 0; i < all.length; i += CHUNK) {
      const part = all.slice(i, i + CHUNK);
      const rows = await o.sql<{ id: string; subject: string; payload: unknown; headers: Record<string, string> }[]>`
        SELECT id::text AS id, subject, payload, headers FROM outbox WHERE id = ANY(${part}::uuid[]) AND published_at IS NOT NULL`;
      const results = await Promise.allSettled(
        rows.map((r) => o.publish({ subject: r.subject, id: r.id, data: enc.encode(JSON.stringify(r.payload)), headers: r.headers })),
      );
      results.forEach((res, j) => {
        const id = (rows[j] as { id: string }).id;
        if (res.status === "rejected") {
          failed++;
          retry.set(id, chosen.get(id) as number);
        } else if (res.value.duplicate) confirmed++;
        else restored++;
      });
    }
    // Counted once finished, so a reader that sees the pass also sees its results.
    stats.passes++;
    stats.confirmed += confirmed;
    stats.restored += restored;
    o.metrics?.republished.inc(confirmed + restored);
    o.metrics?.restored.inc(restored);
    const fields = { checked: chosen.size, confirmed, restored, failed, faults };
    if (restored > 0) o.log.warn("outbox relay restored events the broker had lost after a fault", fields);
    else if (failed > 0) o.log.info("outbox relay re-check after a broker fault incomplete; retrying after the next settle time", fields);
    else o.log.info("outbox relay re-checked events published around a broker fault: none lost", fields);
    if (failed > 0) fault("re-publish failed");
  };

  function fault(what: string) {
    const now = Date.now();
    if (window) {
      window.lastFault = now;
      window.faults.add(what);
    } else window = { from: now - beforeMs, openedAt: now, lastFault: now, faults: new Set([what]) };
    return window;
  }

  return {
    stats,
    published(list) {
      const now = Date.now();
      for (const id of list) {
        ids.push(id);
        at.push(now);
      }
      trim(now);
    },
    fault,
    takeover() {
      const w = fault("lease taken over");
      w.adoptFrom = Math.min(w.adoptFrom ?? Number.POSITIVE_INFINITY, Date.now() - takeoverLookbackMs);
    },
    get pending() {
      return window !== undefined || retry.size > 0;
    },
    async runDue(force = false) {
      if (!window) return;
      const now = Date.now();
      if (!force && now - window.lastFault < settleMs && now - window.openedAt < maxOpenMs) return;
      const { from, faults, adoptFrom } = window;
      window = undefined;
      try {
        await pass(from, [...faults], adoptFrom);
      } catch (err) {
        // The database or the broker failed mid-pass: keep the window, try again after the next settle time.
        const w = fault("re-publish pass failed");
        w.from = Math.min(w.from, from);
        if (adoptFrom !== undefined) w.adoptFrom = Math.min(w.adoptFrom ?? adoptFrom, adoptFrom);
        o.log.warn("outbox relay re-publish pass failed; will retry", { err: err instanceof Error ? err.message : String(err) });
      }
    },
  };
}
