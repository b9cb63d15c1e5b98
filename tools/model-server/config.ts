// The model server's settings: environment variables, each overridable by a command-line flag of the same meaning.
import { parseArgs } from "node:util";
import { z } from "zod";
import { type Env, parseEnv } from "../../lib/config/env.ts";
import { LOG_LEVELS } from "../../lib/logging/logger.ts";
import { processFaultSchema } from "./faults/faults.ts";

const json = <T extends z.ZodType>(schema: T) =>
  z
    .string()
    .transform((s, ctx) => {
      try {
        return JSON.parse(s) as unknown;
      } catch {
        ctx.addIssue({ code: "custom", message: "must be JSON" });
        return z.NEVER;
      }
    })
    .pipe(schema);

export const modelServerEnv = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(9090).describe("HTTP port (0: any free port)"),
  HOST: z.string().default("127.0.0.1").describe("Address to listen on"),
  CHAT_CADENCE_MS: z.coerce.number().int().min(0).max(60_000).default(20).describe("Milliseconds between chat stream chunks"),
  CHAT_CHUNKS: z.coerce.number().int().min(0).max(1_000_000).optional().describe("Reply length in tokens; unset: echo the last user message"),
  MODEL_SERVER_FAULT: json(processFaultSchema).optional().describe('A process-wide fault from the start, e.g. {"fault":"not-ready"}'),
  LOG_LEVEL: z.enum(LOG_LEVELS).default("info"),
});
export type ModelServerConfig = z.infer<typeof modelServerEnv>;

const FLAGS = {
  port: "PORT",
  host: "HOST",
  "cadence-ms": "CHAT_CADENCE_MS",
  chunks: "CHAT_CHUNKS",
  fault: "MODEL_SERVER_FAULT",
  "log-level": "LOG_LEVEL",
} as const;

/** Env first, flags (--port 9191, --cadence-ms 5, ...) over it; throws ConfigError listing every problem. */
export function readConfig(env: Env, argv: string[]): ModelServerConfig {
  const options = Object.fromEntries(Object.keys(FLAGS).map((k) => [k, { type: "string" as const }]));
  const { values } = parseArgs({ args: argv, options, strict: true });
  const merged: Env = { ...env };
  for (const [flag, name] of Object.entries(FLAGS)) {
    const v = (values as Record<string, string | undefined>)[flag];
    if (v !== undefined) merged[name] = v;
  }
  return parseEnv("model-server", modelServerEnv, merged);
}
