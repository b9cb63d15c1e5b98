// Parses environment variables once with a zod schema; on failure reports every problem in one message.
import { z } from "zod";
import { LOG_LEVELS } from "../logging/logger.ts";

export type Env = Record<string, string | undefined>;

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(service: string, problems: string[]) {
    super(`${service}: invalid configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
    this.problems = problems;
  }
}

/** Empty strings count as unset, as they do in most deployment tools. */
function withoutEmpty(env: Env): Env {
  const out: Env = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== "") out[k] = v;
  return out;
}

export function parseEnv<S extends z.ZodObject>(service: string, schema: S, env: Env): z.infer<S> {
  const present = withoutEmpty(env);
  // Parsed once per process: zod's JIT would compile a fast path here that is never used again (half of this parse's
  // ~9 ms in a compiled start).
  const result = schema.safeParse(present, { jitless: true });
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => {
    const name = i.path.join(".") || "(env)";
    const unset = i.code === "invalid_type" && i.path.length === 1 && present[String(i.path[0])] === undefined;
    return unset ? `${name}: required but not set` : `${name}: ${i.message}`;
  });
  throw new ConfigError(service, problems);
}

/** For main.ts: parse or print the one message to stderr and exit 1. */
export function loadConfigOrExit<S extends z.ZodObject>(service: string, schema: S, env: Env): z.infer<S> {
  try {
    return parseEnv(service, schema, env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(err.message);
    process.exit(1);
  }
}

const port = (fallback: number) => z.coerce.number().int().min(1).max(65535).default(fallback);
const millis = (fallback: number) => z.coerce.number().int().min(0).max(600_000).default(fallback);

/** Variables every service reads. */
export function commonEnv(defaultPort: number) {
  return {
    PORT: port(defaultPort).describe("HTTP port to listen on"),
    LOG_LEVEL: z.enum(LOG_LEVELS).default("info").describe("debug, info, warn, error or silent"),
    SHUTDOWN_GRACE_MS: millis(25_000).describe("Hard limit for the whole shutdown sequence after SIGTERM"),
    DRAIN_DELAY_MS: millis(3_000).describe("Time /readyz reports 503 before the listener stops, so load balancers notice"),
    BODY_LIMIT_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .max(64 * 1024 * 1024)
      .default(1024 * 1024)
      .describe("Largest accepted request body"),
  };
}

/** Variables of services that own a database. */
export const databaseEnv = {
  DATABASE_URL: z
    .url({ protocol: /^postgres(ql)?$/, error: "must be a postgres:// or postgresql:// URL" })
    .optional()
    .describe("PostgreSQL URL; unset → embedded PGlite under DATA_DIR"),
  DATA_DIR: z.string().default(".data").describe("Folder for the embedded database when DATABASE_URL is unset"),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(100).default(10).describe("postgres.js pool size"),
  DATABASE_STATEMENT_TIMEOUT_MS: millis(5_000).describe("Server-side statement_timeout"),
  // Default: with the statement timeout (5 s) a request blocked by the database ends within ~8 s, before the
  // gateway's 10 s upstream deadline, so the client gets this service's 503 with Retry-After rather than a 504.
  DATABASE_ACQUIRE_TIMEOUT_MS: millis(3_000).describe("Longest wait for a free pool connection (503 database_unavailable beyond; 0: no limit)"),
};

/** Variables of services that publish or consume events. */
/** Copies of each stream on a NATS cluster (nats-server allows 1–5); more than 1 needs a cluster with that many JetStream servers. */
export const natsStreamReplicas = z.coerce
  .number()
  .int()
  .min(1)
  .max(5)
  .default(1)
  .describe("Replicas of the ORDERS and DLQ streams (and the gateway's rate-limit bucket) on a NATS cluster; applied to existing streams on start");

export const messagingEnv = {
  NATS_URL: z
    .string()
    .regex(/^((nats|tls|ws|wss):\/\/[^\s,]+)(,(nats|tls|ws|wss):\/\/[^\s,]+)*$/, "must be nats://, tls://, ws:// or wss:// URLs, comma-separated")
    .optional()
    .describe("NATS server(s) with JetStream; unset → the embedded transport over Postgres tables"),
  NATS_STREAM_REPLICAS: natsStreamReplicas,
  BROKER_DATABASE_URL: z
    .url({ protocol: /^postgres(ql)?$/, error: "must be a postgres:// or postgresql:// URL" })
    .optional()
    .describe("Where the embedded transport keeps its tables when NATS_URL is unset; default: the service's own database"),
};
