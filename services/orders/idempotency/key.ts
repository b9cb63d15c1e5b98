// Idempotency-Key header handling (IETF httpapi draft + Stripe): required on POSTs, validated, fingerprinted.
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../../../lib/http/app-env.ts";
import { AppError } from "../../../lib/http/app-error.ts";

export type IdempotencyEnv = AppEnv & { Variables: { idempotencyKey: string } };

// The draft makes the value a Structured Field String ("…"); bare tokens as Stripe sends them are accepted too.
const KEY = /^[\x21\x23-\x5b\x5d-\x7e]{1,255}$/;

export function parseIdempotencyKey(header: string | undefined): string {
  if (header === undefined) {
    throw new AppError("idempotency_key_missing", { detail: "Send a unique Idempotency-Key header (e.g. a UUID) with every POST." });
  }
  const raw = header.length >= 2 && header.startsWith('"') && header.endsWith('"') ? header.slice(1, -1) : header;
  if (!KEY.test(raw)) {
    throw new AppError("idempotency_key_invalid", { detail: "Idempotency-Key must be 1–255 visible ASCII characters without quotes or backslashes." });
  }
  return raw;
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
