// An empty set of pools with one placeholder model, for building the app where no backend is ever called (the contract generator).
import { createPools, type Pools } from "./pool.ts";

/** One OIP model on an address nothing listens on: routes and schemas need a registry, the generator serves nothing. */
export function contractPools(): Pools {
  const limits = {
    connectTimeoutMs: 1,
    firstByteTimeoutMs: 1,
    idleTimeoutMs: 1,
    totalTimeoutMs: 1,
    maxConcurrency: 1,
    queueSize: 0,
    queueTimeoutMs: 1,
    maxRequestBytes: 1024 * 1024,
    maxResponseBytes: 1,
    maxSseLineBytes: 1,
    maxTensorElements: 1,
    retries: 0,
    maxOutputTokens: 1,
  };
  const spec = {
    name: "contract",
    protocol: "oip-v2" as const,
    group: "contract",
    backends: [{ name: "none", origin: "http://127.0.0.1:9", model: "contract", weight: 1, maxConcurrency: 1 }],
    limits,
  };
  return createPools(new Map([[spec.name, spec]]), { breakerFailureThreshold: 1, breakerOpenMs: 1 });
}
