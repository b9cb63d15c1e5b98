// Creates and upgrades the embedded broker's tables (schema "broker") under an advisory lock, apart from any service's migrations.
import type { Db, Sql } from "../../db/postgres.ts";
import { type Logger, silentLogger } from "../../logging/logger.ts";
import init from "./migrations/broker_0001_init.sql" with { type: "text" };

/** Forward-only steps; version n is the n-th entry. Append, never edit. */
const STEPS: readonly { name: string; sql: string }[] = [{ name: "broker_0001_init.sql", sql: init }];

/** Transaction advisory lock key serializing bootstraps across processes: "BRKR". */
export const BROKER_SCHEMA_LOCK_KEY = 0x42524b52;

export class BrokerSchemaError extends Error {
  override name = "BrokerSchemaError";
}

/**
 * Brings schema `broker` to this build's version. It keeps its own `broker.schema_version` table, so a
 * service's `schema_migrations` in the same database never sees (and never refuses) the broker's steps.
 * One transaction under `pg_advisory_xact_lock`: concurrent starts apply each step once, and it needs
 * only one connection (no reserved session), so it works on the embedded PGlite (`max: 1`).
 */
export async function ensureBrokerSchema(sql: Sql, log: Logger = silentLogger): Promise<void> {
  const latest = STEPS.length;
  if ((await currentVersion(sql)) === latest) return; // common case: no lock, no DDL
  await sql.begin(async (tx) => {
    await tx.unsafe("set local statement_timeout = 0");
    await tx`select pg_advisory_xact_lock(${BROKER_SCHEMA_LOCK_KEY})`;
    await tx.unsafe(`create schema if not exists broker;
      create table if not exists broker.schema_version (
        version int primary key, name text not null, applied_at timestamptz not null default now())`);
    const version = await currentVersion(tx);
    if (version > latest) {
      throw new BrokerSchemaError(`broker schema is at version ${version}, newer than this build knows (${latest}); deploy that version or newer`);
    }
    for (let v = version + 1; v <= latest; v++) {
      const step = STEPS[v - 1] as { name: string; sql: string };
      await tx.unsafe(step.sql);
      await tx`insert into broker.schema_version (version, name) values (${v}, ${step.name})`;
      log.info("broker schema step applied", { version: v, step: step.name });
    }
  });
}

async function currentVersion(sql: Db): Promise<number> {
  const [row] = await sql<{ v: number | null }[]>`
    select case when to_regclass('broker.schema_version') is null then 0 end as v`;
  if (row?.v === 0) return 0;
  const [cur] = await sql<{ v: number | null }[]>`select max(version) as v from broker.schema_version`;
  return cur?.v ?? 0;
}
