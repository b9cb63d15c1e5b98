// The relay's view of the outbox table: claim due rows, mark them published, dead or due again later.
import type { Db, Sql } from "../../../lib/db/postgres.ts";

export interface OutboxRow {
  id: string;
  subject: string;
  payload: unknown;
  headers: Record<string, string>;
  attempts: number;
}

export interface RowFailure {
  id: string;
  error: string;
  /** When to try again; undefined = dead (the broker will never accept it). */
  retryAt?: Date;
}

/** Oldest due rows (read in outbox_due_idx order, no sort), locked for this transaction; rows locked elsewhere are skipped. */
export function claimDue(tx: Db, limit: number): Promise<OutboxRow[]> {
  return tx<OutboxRow[]>`
    SELECT id, subject, payload, headers, attempts FROM outbox
     WHERE published_at IS NULL AND dead_at IS NULL AND next_attempt_at <= now()
     ORDER BY created_at LIMIT ${limit} FOR UPDATE SKIP LOCKED`;
}

export async function markPublished(tx: Db, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await tx`UPDATE outbox SET published_at = clock_timestamp(), attempts = attempts + 1, last_error = NULL WHERE id = ANY(${ids}::uuid[])`;
}

export async function markFailed(tx: Db, failures: RowFailure[]): Promise<void> {
  if (failures.length === 0) return;
  const ids = failures.map((f) => f.id);
  const errors = failures.map((f) => f.error.slice(0, 1000));
  const retryAt = failures.map((f) => f.retryAt?.toISOString() ?? null);
  await tx`
    UPDATE outbox o SET attempts = o.attempts + 1, last_error = f.error,
           next_attempt_at = COALESCE(f.retry_at, o.next_attempt_at),
           dead_at = CASE WHEN f.retry_at IS NULL THEN clock_timestamp() END
      FROM unnest(${ids}::uuid[], ${errors}::text[], ${retryAt}::timestamptz[]) AS f(id, error, retry_at)
     WHERE o.id = f.id`;
}

/**
 * What taking the lease found: "renewed" (already ours), "taken" (free: never held, or released cleanly by a leader
 * that had re-checked its publishes), "taken-over" (from a holder that stopped renewing it: it died, stalled or lost
 * the database, and the publishes it had not re-checked after a broker fault are now nobody's), "refused" (another
 * holder's lease runs).
 */
export type LeaseOutcome = "renewed" | "taken" | "taken-over" | "refused";

/** The holder a leader leaves behind when it stops with nothing left to re-check (never a relay's id: those are UUIDs). */
const RELEASED_CLEAN = "";

/**
 * Takes or renews the relay lease for `holder` until `leaseMs` from now.
 * Called inside the batch transaction (which holds the relay's advisory lock, so the read and the upsert see the same
 * row), so a batch that rolls back does not renew it.
 */
export async function takeLease(tx: Db, holder: string, leaseMs: number): Promise<LeaseOutcome> {
  const [prev] = await tx<{ holder: string }[]>`SELECT holder FROM outbox_relay_lease WHERE id = 1`;
  const rows = await tx`
    INSERT INTO outbox_relay_lease AS l (id, holder, expires_at) VALUES (1, ${holder}, clock_timestamp() + make_interval(secs => ${leaseMs / 1000}))
    ON CONFLICT (id) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
     WHERE l.holder = excluded.holder OR l.expires_at < clock_timestamp()
    RETURNING 1`;
  if (rows.length === 0) return "refused";
  if (!prev || prev.holder === RELEASED_CLEAN) return "taken";
  return prev.holder === holder ? "renewed" : "taken-over";
}

/**
 * Ends `holder`'s lease now, so a standby takes over at its next check instead of after the lease runs out.
 * `clean`: the holder re-checked everything it published around broker faults, so its successor need not.
 */
export async function releaseLease(sql: Sql, holder: string, clean: boolean): Promise<void> {
  await sql`UPDATE outbox_relay_lease SET expires_at = clock_timestamp(), holder = ${clean ? RELEASED_CLEAN : holder} WHERE id = 1 AND holder = ${holder}`;
}

/**
 * Ids of the rows published within the last `ms` (by any relay), with their age by the database's clock (the
 * caller's clock may differ from it: ages, not timestamps, cross the boundary).
 */
export function publishedWithin(sql: Sql, ms: number): Promise<{ id: string; age_ms: number }[]> {
  return sql<{ id: string; age_ms: number }[]>`
    SELECT id::text AS id, (extract(epoch FROM clock_timestamp() - published_at) * 1000)::float8 AS age_ms FROM outbox
     WHERE published_at >= clock_timestamp() - make_interval(secs => ${ms / 1000})`;
}

/** Makes dead rows publishable again (all of them, or one). Returns how many. */
export async function redriveDead(sql: Sql, id?: string): Promise<number> {
  const rows = await sql`
    UPDATE outbox SET dead_at = NULL, last_error = NULL, next_attempt_at = clock_timestamp()
     WHERE dead_at IS NOT NULL ${id ? sql`AND id = ${id}` : sql``} RETURNING 1`;
  return rows.length;
}

/** Deletes up to `limit` published rows older than `olderThanMs`. */
export async function deletePublishedBefore(sql: Sql, olderThanMs: number, limit: number): Promise<number> {
  const rows = await sql`
    DELETE FROM outbox WHERE id IN (
      SELECT id FROM outbox WHERE published_at < clock_timestamp() - make_interval(secs => ${olderThanMs / 1000}) LIMIT ${limit})
    RETURNING 1`;
  return rows.length;
}
