// Active readiness checks: OIP backends' /v2/health/ready, OpenAI backends' /v1/models; an unready backend is skipped.
import type { FetchLike } from "../../../lib/http/client/upstream-client.ts";
import type { Logger } from "../../../lib/logging/logger.ts";
import type { Backend } from "./backend.ts";
import type { Pools } from "./pool.ts";

const READY_PATH = { "oip-v2": "/v2/health/ready", openai: "/v1/models" } as const;

/** Checks every backend once, concurrently; each check is bounded by the model's connect + first-byte limits (at most 5 s). */
export async function checkReadiness(pools: Pools, opts: { fetch?: FetchLike; log: Logger }): Promise<void> {
  const doFetch: FetchLike = opts.fetch ?? ((url, init) => fetch(url, init));
  const checks: Promise<void>[] = [];
  for (const pool of pools.values()) {
    const path = READY_PATH[pool.spec.protocol];
    const timeoutMs = Math.min(5_000, pool.spec.limits.connectTimeoutMs + pool.spec.limits.firstByteTimeoutMs);
    for (const b of pool.backends) checks.push(checkOne(b, path, timeoutMs, doFetch, opts.log));
  }
  await Promise.all(checks);
}

async function checkOne(b: Backend, path: string, timeoutMs: number, doFetch: FetchLike, log: Logger): Promise<void> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (b.spec.apiKey !== undefined) headers.authorization = `Bearer ${b.spec.apiKey}`;
  let ready: boolean;
  try {
    const res = await doFetch(b.spec.origin + path, { headers, redirect: "manual", signal: AbortSignal.timeout(timeoutMs) });
    ready = res.status >= 200 && res.status < 300;
    await res.body?.cancel();
  } catch {
    ready = false;
  }
  if (ready !== b.ready) log[ready ? "info" : "warn"]("backend readiness changed", { model: b.model, backend: b.spec.name, ready });
  b.ready = ready;
}
