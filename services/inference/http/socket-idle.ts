// How long a client's connection may stay silent: a streamed generation may be silent up to the backend idle limit.

/** INFERENCE_IDLE_TIMEOUT_MS's default (config.ts), here so main.ts can size its early listener without loading the config. */
export const DEFAULT_IDLE_TIMEOUT_MS = 30_000;

/** Past the longest backend silence a call may see (+5 s), at least Bun's default 30 s, at most the 255 s Bun allows. */
export function socketIdleSeconds(longestIdleMs: number): number {
  return Math.min(255, Math.max(30, Math.ceil(longestIdleMs / 1000) + 5));
}

/**
 * The early listener's limit (main.ts): the one the default limits need. Bun fixes it when a socket opens, so a
 * configuration that needs more pays a per-request call instead (lib/serve/listen.ts).
 */
export const DEFAULT_SOCKET_IDLE_SECONDS = socketIdleSeconds(DEFAULT_IDLE_TIMEOUT_MS);
