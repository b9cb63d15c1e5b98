// Idempotency-Key header handling (IETF httpapi draft + Stripe): required on the order POSTs, validated, fingerprinted.
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../../../lib/http/app-env.ts";
import { AppError } from "../../../lib/http/app-error.ts";

export type IdempotencyEnv = AppEnv & { Variables: { idempotencyKey: string } };

/**
 * The accepted spellings, one pattern for the server and the contract: a bare key as Stripe sends it (1–255 visible
 * ASCII characters without `"` or `\`), or the draft's Structured Field String (RFC 8941 §3.3.3: `"…"` holding 1–255
 * printable ASCII characters, space included, with `"` and `\` escaped by a backslash). Both name the same key.
 */
export const IDEMPOTENCY_KEY_PATTERN = /^(?:[!#-[\]-~]{1,255}|"(?:[ !#-[\]-~]|\\["\\]){1,255}")$/;

export function parseIdempotencyKey(header: string | undefined): string {
  if (header === undefined) {
    throw new AppError("idempotency_key_missing", { detail: "Send a unique Idempotency-Key header (e.g. a UUID) with every POST that needs one." });
  }
  if (!IDEMPOTENCY_KEY_PATTERN.test(header)) {
    throw new AppError("idempotency_key_invalid", {
      detail:
        'Idempotency-Key must be 1–255 visible ASCII characters without quotes or backslashes, or a Structured Field string ("…" with \\" and \\\\ escaped).',
    });
  }
  return header.startsWith('"') ? header.slice(1, -1).replace(/\\(["\\])/g, "$1") : header;
}

export function requireIdempotencyKey(): MiddlewareHandler<IdempotencyEnv> {
  return async (c, next) => {
    c.set("idempotencyKey", parseIdempotencyKey(c.req.header("idempotency-key")));
    await next();
  };
}

/** Fingerprint of what a request asks for: same operation + same parsed body → same hash, whatever the key order. */
export function fingerprint(operation: string, body: unknown): string {
  return new Bun.CryptoHasher("sha256")
    .update(operation)
    .update("\n")
    .update(JSON.stringify(body ?? null))
    .digest("hex");
}
