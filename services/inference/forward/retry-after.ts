// Retry-After (RFC 9110 §10.2.3) of a backend's refusal, in milliseconds: delay-seconds or an HTTP date; capped.

/** At most this long is a backend skipped on its own say-so (a bogus header must not bench it for a day). */
export const MAX_COOL_DOWN_MS = 300_000;
/** A refusal without Retry-After still benches the backend briefly, so a one-backend pool is not hammered. */
export const DEFAULT_COOL_DOWN_MS = 1_000;

export function retryAfterMs(header: string | null, now: number): number {
  if (header === null) return DEFAULT_COOL_DOWN_MS;
  const text = header.trim();
  let ms: number;
  if (/^\d{1,10}$/.test(text)) ms = Number(text) * 1000;
  else {
    const at = Date.parse(text);
    ms = Number.isNaN(at) ? DEFAULT_COOL_DOWN_MS : at - now;
  }
  return Math.min(MAX_COOL_DOWN_MS, Math.max(0, ms));
}
