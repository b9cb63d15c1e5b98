// Something opened that must be closed on shutdown (a pool, a connection, a consumer, the span exporter), by name.

export interface Closer {
  name: string;
  /** Stop consumers, drain NATS, close Postgres, flush telemetry… run in the order given. */
  close(): Promise<void>;
}
