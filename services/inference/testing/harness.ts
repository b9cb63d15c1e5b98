// Test harness: the inference app on a real loopback listener, configured through its env schema, with internal tokens.
import { generateDevKeyPair } from "../../../lib/auth/dev-keys.ts";
import { createInternalTokenMinter } from "../../../lib/auth/internal-token.ts";
import { parseEnv } from "../../../lib/config/env.ts";
import { type Logger, type LogSink, silentLogger } from "../../../lib/logging/logger.ts";
import type { Registry } from "../../../lib/metrics/registry.ts";
import { type Listener, listen } from "../../../lib/serve/listen.ts";
import type { Tracing } from "../../../lib/telemetry/tracer.ts";
import { assembleInference } from "../assemble.ts";
import type { Pools } from "../backends/pool.ts";
import { inferenceEnv } from "../config.ts";
import type { InferenceHooks } from "../hooks.ts";
import { createTokenCounter, type TokenCounter } from "../usage/token-counter.ts";

export interface Harness {
  url: string;
  pools: Pools;
  /** fetch against the service with a valid internal token (scope inference:invoke unless `scopes` says otherwise). */
  fetch(path: string, init?: RequestInit, scopes?: string[]): Promise<Response>;
  post(path: string, body: unknown, init?: RequestInit): Promise<Response>;
  metrics(): Promise<string>;
  /** The registry /metrics renders (tests add the process metrics to it). */
  registry: Registry;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** Where the service logs (default: nowhere). */
  log?: Logger;
  /** The principal's subject in the internal token (the caller a token budget is kept for). */
  subject?: string;
  tracing?: Tracing;
  /** false: plain infer calls take the Hono chain too. */
  hotPath?: boolean;
  /** Where the hot path writes its access lines directly (as run.ts sets it up); through `log` otherwise. */
  logSink?: LogSink;
}

// One counter for every harness in a test process: its table loads once (~230 ms), and tests wait for it.
let sharedTokens: TokenCounter | undefined;

export async function inferenceHarness(
  models: Record<string, unknown>,
  env: Record<string, string> = {},
  hooks?: InferenceHooks,
  opts: HarnessOptions = {},
): Promise<Harness> {
  sharedTokens ??= createTokenCounter();
  await sharedTokens.ready;
  const keys = await generateDevKeyPair("inference-test");
  const mint = await createInternalTokenMinter(keys.privateJwk);
  const cfg = parseEnv("inference", inferenceEnv, {
    INTERNAL_AUTH_JWKS: JSON.stringify(keys.jwks),
    INFERENCE_MODELS: JSON.stringify(models),
    LOG_LEVEL: "silent",
    ...env,
  });
  const { app, pools, health, metrics } = assembleInference(cfg, {
    log: opts.log ?? silentLogger,
    hooks,
    tokens: sharedTokens,
    tracing: opts.tracing,
    hotPath: opts.hotPath,
    logSink: opts.logSink,
  });
  health.markStarted();
  const listener: Listener = listen({ port: 0, hostname: "127.0.0.1", fetch: app.fetch, idleTimeoutSeconds: 60 });
  const url = `http://127.0.0.1:${listener.port}`;
  const tokens = new Map<string, string>();
  const token = async (scopes: string[]) => {
    const key = scopes.join(" ");
    let t = tokens.get(key);
    if (t === undefined) {
      t = await mint({ audience: "inference", subject: opts.subject ?? "alice", scopes, ttlSeconds: 60 });
      tokens.set(key, t);
    }
    return t;
  };
  const h: Harness = {
    url,
    pools,
    async fetch(path, init = {}, scopes = ["inference:invoke"]) {
      const headers = new Headers(init.headers);
      if (!headers.has("authorization")) headers.set("authorization", `Bearer ${await token(scopes)}`);
      return fetch(url + path, { ...init, headers });
    },
    post: (path, body, init = {}) =>
      h.fetch(path, {
        ...init,
        method: "POST",
        headers: { "content-type": "application/json", ...(init.headers as object) },
        body: typeof body === "string" ? body : JSON.stringify(body),
      }),
    metrics: async () => (await fetch(`${url}/metrics`)).text(),
    registry: metrics,
    close: () => listener.stop(true),
  };
  return h;
}
