// The resolved registry: each model with its backends (origin, name at the backend, API key) and every limit filled in.
import { backendOrigin } from "./backend-url.ts";
import type { Protocol, RawRegistry } from "./registry-schema.ts";

export interface ModelLimits {
  /** A backend must accept a TCP connection within this (504 backend_connect_timeout). */
  connectTimeoutMs: number;
  /** Response headers must arrive within this after the call went out (504 backend_first_byte_timeout). */
  firstByteTimeoutMs: number;
  /** Longest silence between two body chunks (504 backend_idle_timeout, or an error event mid-stream). */
  idleTimeoutMs: number;
  /** The whole exchange, queueing and retries included (504 backend_total_timeout). */
  totalTimeoutMs: number;
  /** Calls in flight per replica and the bounded queue behind them (the concurrency limiter's settings). */
  maxConcurrency: number;
  queueSize: number;
  queueTimeoutMs: number;
  maxRequestBytes: number;
  maxResponseBytes: number;
  maxSseLineBytes: number;
  maxTensorElements: number;
  /** Further attempts on another (or the same, after Retry-After) backend, only while nothing was generated. */
  retries: number;
  /** Output tokens a caller's budget reserves for an OpenAI call that names no `max_tokens` (the answer's worst case). */
  maxOutputTokens: number;
}

export interface BackendSpec {
  /** Bounded label for metrics and logs: `host:port`. */
  name: string;
  origin: string;
  /** The model's name at this backend. */
  model: string;
  /** Sent as `Authorization: Bearer …` to this backend only. */
  apiKey?: string;
  weight: number;
  maxConcurrency: number;
}

export interface ModelSpec {
  name: string;
  protocol: Protocol;
  /** The token-budget group its calls are charged to (default: the model's name). */
  group: string;
  backends: BackendSpec[];
  limits: ModelLimits;
}

export type Registry = ReadonlyMap<string, ModelSpec>;

/** Resolves the parsed registry against the env-wide defaults; `env` supplies the API keys named by apiKeyEnv. */
export function resolveRegistry(raw: RawRegistry, defaults: ModelLimits, env: Record<string, unknown>): Registry {
  const models = new Map<string, ModelSpec>();
  for (const [name, m] of Object.entries(raw)) {
    const t = m.timeouts ?? {};
    const limits: ModelLimits = {
      connectTimeoutMs: t.connectMs ?? defaults.connectTimeoutMs,
      firstByteTimeoutMs: t.firstByteMs ?? defaults.firstByteTimeoutMs,
      idleTimeoutMs: t.idleMs ?? defaults.idleTimeoutMs,
      totalTimeoutMs: t.totalMs ?? defaults.totalTimeoutMs,
      maxConcurrency: m.maxConcurrency ?? defaults.maxConcurrency,
      queueSize: m.queueSize ?? defaults.queueSize,
      queueTimeoutMs: m.queueTimeoutMs ?? defaults.queueTimeoutMs,
      maxRequestBytes: m.maxRequestBytes ?? defaults.maxRequestBytes,
      maxResponseBytes: m.maxResponseBytes ?? defaults.maxResponseBytes,
      maxSseLineBytes: m.maxSseLineBytes ?? defaults.maxSseLineBytes,
      maxTensorElements: m.maxTensorElements ?? defaults.maxTensorElements,
      retries: m.retries ?? defaults.retries,
      maxOutputTokens: m.maxOutputTokens ?? defaults.maxOutputTokens,
    };
    const backends = m.backends.map((b): BackendSpec => {
      const origin = backendOrigin(b.url);
      const key = b.apiKeyEnv === undefined ? undefined : env[b.apiKeyEnv];
      return {
        name: new URL(origin).host,
        origin,
        model: b.model ?? name,
        ...(typeof key === "string" ? { apiKey: key } : {}),
        weight: b.weight,
        maxConcurrency: b.maxConcurrency ?? Number.MAX_SAFE_INTEGER,
      };
    });
    models.set(name, { name, protocol: m.protocol, group: m.group ?? name, backends, limits });
  }
  return models;
}
