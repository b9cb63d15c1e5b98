// Opens the process's transport: JetStream when NATS_URL is set, otherwise the embedded one over Postgres tables.
import { type Database, openDatabase } from "../db/database.ts";
import { createSql, type Sql } from "../db/postgres.ts";
import type { Logger } from "../logging/logger.ts";
import { TRACING_OFF, type Tracing } from "../telemetry/tracer.ts";
import { withMessagingSpans } from "./traced-transport.ts";
import type { Transport } from "./types.ts";

export interface OpenTransportOptions {
  natsUrl?: string | undefined;
  /** Replicas of every stream the JetStream transport creates or updates (default 1). */
  streamReplicas?: number;
  /** Database for the embedded transport's tables (when natsUrl is unset). */
  brokerSql: () => Sql;
  /** Connection name shown by the server (service name). */
  name: string;
  log: Logger;
  /** Producer and consumer spans when on (default: off). */
  tracing?: Tracing;
}

/** The transport, with producer and consumer spans when tracing is on. */
export async function openTransport(opts: OpenTransportOptions): Promise<Transport> {
  const t = await openPlainTransport(opts);
  const tracing = opts.tracing ?? TRACING_OFF;
  return tracing.enabled ? withMessagingSpans(t, tracing, opts.log) : t;
}

async function openPlainTransport(opts: OpenTransportOptions): Promise<Transport> {
  if (opts.natsUrl) {
    const { createJetStreamTransport } = await import("./jetstream/transport.ts");
    return createJetStreamTransport({ url: opts.natsUrl, name: opts.name, log: opts.log, streamReplicas: opts.streamReplicas });
  }
  const { createEmbeddedTransport } = await import("./embedded/transport.ts");
  return createEmbeddedTransport({ sql: opts.brokerSql(), log: opts.log });
}

export interface BrokerDatabaseOptions {
  brokerUrl?: string | undefined;
  /** The service's own database. */
  service: Database;
  dataDir: string;
  name: string;
  log: Logger;
  /** Query spans on the broker database when on (default: off). */
  tracing?: Tracing;
}

/**
 * Where the embedded transport keeps its tables: BROKER_DATABASE_URL when set; else the service's own PostgreSQL;
 * but never the service's embedded PGlite, whose single connection the relay holds while it awaits a publish —
 * that gets a PGlite of its own (`<name>-broker`), private to this process.
 */
export async function openBrokerDatabase(opts: BrokerDatabaseOptions): Promise<Database> {
  if (opts.brokerUrl) {
    const sql = createSql(opts.brokerUrl, { max: 4, applicationName: `${opts.name}-broker`, tracing: opts.tracing });
    return { sql, embedded: false, close: () => sql.end({ timeout: 5 }) };
  }
  if (!opts.service.embedded) return opts.service;
  return openDatabase({ dataDir: opts.dataDir, service: `${opts.name}-broker`, log: opts.log, tracing: opts.tracing });
}
