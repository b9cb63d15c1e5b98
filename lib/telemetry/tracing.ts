// Starts OpenTelemetry tracing (OTLP/HTTP export, parent-based ratio sampling) when an endpoint is configured; else nothing.
import { ConfigError, type Env } from "../config/env.ts";
import { parseTracingEnv } from "./config.ts";
import type { StartedTracing, StartTracingOptions } from "./install-tracing.ts";
import { TRACING_OFF } from "./tracer.ts";

/**
 * Reads OTEL_* from `env` (ConfigError on invalid values) and, when an endpoint is set and OTEL_SDK_DISABLED is not
 * true, registers the SDK globally: tracer provider, AsyncLocalStorage context, W3C propagator. Otherwise registers
 * nothing and returns tracing off (the API's no-op tracer). Call once per process; pass the result to whatever makes
 * spans (database, transport, upstream clients, app factories) and its logContext to the loggers.
 */
export async function startTracing(service: string, version: string, env: Env, opts: StartTracingOptions = {}): Promise<StartedTracing> {
  const cfg = parseTracingEnv(service, version, env);
  if (!cfg) return { ...TRACING_OFF, logContext: undefined, closer: { name: "telemetry", close: async () => {} } };
  // The SDK and its exporters are loaded here and only here: a process without an endpoint never evaluates them.
  const { installTracing } = await import("./install-tracing.ts");
  return installTracing(cfg, opts);
}

/** For main.ts: startTracing, or print the one config message to stderr and exit 1 (as loadConfigOrExit does). */
export async function startTracingOrExit(service: string, version: string, env: Env, opts: StartTracingOptions = {}): Promise<StartedTracing> {
  try {
    return await startTracing(service, version, env, opts);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(err.message);
    process.exit(1);
  }
}
