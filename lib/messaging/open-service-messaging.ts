// Opens what an event-driven service needs: its database and its transport (NATS, or embedded tables in the right database).
import { type Database, openDatabase } from "../db/database.ts";
import type { Closer } from "../lifecycle/closer.ts";
import type { Logger } from "../logging/logger.ts";
import type { Tracing } from "../telemetry/tracer.ts";
import { openBrokerDatabase, openTransport } from "./open-transport.ts";
import type { Transport } from "./types.ts";

export interface ServiceConnectionsConfig {
  DATABASE_URL?: string | undefined;
  DATA_DIR: string;
  DATABASE_POOL_MAX: number;
  DATABASE_STATEMENT_TIMEOUT_MS: number;
  DATABASE_ACQUIRE_TIMEOUT_MS?: number;
  NATS_URL?: string | undefined;
  NATS_STREAM_REPLICAS?: number;
  BROKER_DATABASE_URL?: string | undefined;
}

/** Opens the database and transport (with spans when `tracing` is on), registering a closer for each on `opened` as it goes. */
export async function openServiceConnections(
  service: string,
  cfg: ServiceConnectionsConfig,
  log: Logger,
  opened: Closer[],
  tracing: Tracing,
): Promise<{ db: Database; transport: Transport }> {
  const transportOptions = { natsUrl: cfg.NATS_URL, streamReplicas: cfg.NATS_STREAM_REPLICAS, name: service, log, tracing };
  // With NATS the transport needs nothing from the database: its client loads and connects while the database opens.
  const early = cfg.NATS_URL ? openTransport({ ...transportOptions, brokerSql: () => db.sql }) : undefined;
  early?.catch(() => {}); // awaited below; a failure must not count as unhandled meanwhile
  let db: Database;
  try {
    db = await openDatabase({
      databaseUrl: cfg.DATABASE_URL,
      dataDir: cfg.DATA_DIR,
      service,
      log,
      max: cfg.DATABASE_POOL_MAX,
      statementTimeoutMs: cfg.DATABASE_STATEMENT_TIMEOUT_MS,
      acquireTimeoutMs: cfg.DATABASE_ACQUIRE_TIMEOUT_MS,
      tracing,
    });
  } catch (err) {
    const connected = await early?.catch(() => undefined);
    if (connected) opened.push({ name: "transport", close: () => connected.close() });
    throw err;
  }
  opened.push({ name: "database", close: () => db.close() });
  if (early) {
    const transport = await early;
    opened.push({ name: "transport", close: () => transport.close() });
    return { db, transport };
  }
  const broker = await openBrokerDatabase({ brokerUrl: cfg.BROKER_DATABASE_URL, service: db, dataDir: cfg.DATA_DIR, name: service, log, tracing });
  if (broker !== db) opened.push({ name: "broker database", close: () => broker.close() });
  const transport = await openTransport({ ...transportOptions, brokerSql: () => broker.sql });
  opened.push({ name: "transport", close: () => transport.close() });
  return { db, transport };
}
