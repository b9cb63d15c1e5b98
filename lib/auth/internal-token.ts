// The internal service token: a ≤60 s EdDSA JWT the gateway mints (iss "gateway", aud service, sub, scope) and services verify.
import { createLocalJWKSet, importJWK, type JSONWebKeySet, type JWK, type JWTPayload, jwtVerify, SignJWT } from "jose";
import type { Principal } from "./principal.ts";

export const INTERNAL_ISSUER = "gateway";
export const INTERNAL_ALG = "EdDSA";
export const MAX_INTERNAL_TTL_S = 60;

export interface MintInput {
  audience: string;
  subject: string;
  scopes: readonly string[];
  ttlSeconds?: number;
}

export type InternalTokenMinter = (input: MintInput) => Promise<string>;

export async function createInternalTokenMinter(privateJwk: JWK): Promise<InternalTokenMinter> {
  if (!privateJwk.kid) throw new Error("INTERNAL_AUTH_PRIVATE_JWK needs a kid so services can pick the key");
  if (!privateJwk.d) throw new Error("INTERNAL_AUTH_PRIVATE_JWK is not a private key");
  const key = await importJWK(privateJwk, INTERNAL_ALG);
  const kid = privateJwk.kid;
  return async ({ audience, subject, scopes, ttlSeconds = 30 }) => {
    const ttl = Math.min(Math.max(1, ttlSeconds), MAX_INTERNAL_TTL_S);
    return new SignJWT({ scope: scopes.join(" ") })
      .setProtectedHeader({ alg: INTERNAL_ALG, kid, typ: "JWT" })
      .setIssuer(INTERNAL_ISSUER)
      .setAudience(audience)
      .setSubject(subject)
      .setIssuedAt()
      .setExpirationTime(`${ttl}s`)
      .setJti(crypto.randomUUID())
      .sign(key);
  };
}

export class InvalidTokenError extends Error {
  override name = "InvalidTokenError";
}

export interface VerifierOptions {
  jwks: JSONWebKeySet;
  audience: string;
  clockToleranceSeconds?: number;
  /** Verified tokens remembered until they expire; bounded so memory stays flat. */
  cacheSize?: number;
  now?: () => number;
}

export type InternalTokenVerifier = (token: string) => Promise<Principal>;

export function createInternalTokenVerifier(opts: VerifierOptions): InternalTokenVerifier {
  const keys = createLocalJWKSet(opts.jwks);
  const tolerance = opts.clockToleranceSeconds ?? 5;
  const maxEntries = opts.cacheSize ?? 10_000;
  const now = opts.now ?? Date.now;
  // The same token is typically reused for a burst of calls; caching skips the signature check.
  const cache = new Map<string, { principal: Principal; expMs: number }>();

  return async (token) => {
    const hit = cache.get(token);
    if (hit) {
      if (hit.expMs > now()) return hit.principal;
      cache.delete(token);
    }
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer: INTERNAL_ISSUER,
        audience: opts.audience,
        algorithms: [INTERNAL_ALG],
        requiredClaims: ["exp", "iat", "sub"],
        clockTolerance: tolerance,
        currentDate: new Date(now()),
      }));
    } catch (err) {
      throw new InvalidTokenError(err instanceof Error ? err.message : "invalid token");
    }
    const { exp, iat, sub, scope } = payload as { exp: number; iat: number; sub: string; scope?: unknown };
    if (exp - iat > MAX_INTERNAL_TTL_S) throw new InvalidTokenError(`token lifetime exceeds ${MAX_INTERNAL_TTL_S}s`);
    if (scope !== undefined && typeof scope !== "string") throw new InvalidTokenError("scope must be a string");
    if (!sub) throw new InvalidTokenError("sub is empty");
    const principal: Principal = { subject: sub, scopes: new Set(scope ? scope.split(" ").filter(Boolean) : []) };
    if (cache.size >= maxEntries) {
      const oldest = cache.keys().next().value;
      if (oldest !== undefined) cache.delete(oldest);
    }
    cache.set(token, { principal, expMs: (exp + tolerance) * 1000 });
    return principal;
  };
}
