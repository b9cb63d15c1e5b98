// Verifies user JWTs at the edge (allow-listed algorithms, exact iss, our aud, exp/iat/sub required) and caches the verified ones until expiry.
import { errors, type JWTPayload, jwtVerify } from "jose";
import { trailingSlashHint } from "./issuer-hint.ts";
import type { JwksCache } from "./jwks-cache.ts";

/** A verified caller: the token's subject and scopes, until `expMs`. Internal tokens minted for it are memoised on it. */
export interface UserIdentity {
  subject: string;
  scopes: ReadonlySet<string>;
  expMs: number;
  /** upstream name → internal token and when to mint a fresh one (filled by the internal-token cache). */
  internal: Map<string, { token: string; refreshAtMs: number }>;
}

/**
 * Why a user token was not accepted: the closed set of gateway_auth_failures_total's `reason` label. "missing" and
 * "malformed" are about the Authorization header, "keys_unavailable" about the issuer's JWKS, the rest about the token.
 */
export const AUTH_FAILURE_REASONS = [
  "missing",
  "malformed",
  "too_large",
  "expired",
  "not_yet_valid",
  "bad_signature",
  "wrong_issuer",
  "wrong_audience",
  "unknown_kid",
  "algorithm_not_allowed",
  "missing_claim",
  "invalid_claim",
  "keys_unavailable",
] as const;
export type AuthFailureReason = (typeof AUTH_FAILURE_REASONS)[number];

/** Why a token was refused; the message and reason go to the log and metrics only, the client sees a generic invalid_token. */
export class TokenRejectedError extends Error {
  override name = "TokenRejectedError";
  constructor(
    message: string,
    readonly reason: AuthFailureReason,
  ) {
    super(message);
  }
}

/** The reason for one of jose's verification errors (anything unrecognised is "malformed"). */
export function joseFailureReason(err: unknown): AuthFailureReason {
  if (err instanceof errors.JWTExpired) return "expired";
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.reason === "missing") return "missing_claim";
    if (err.claim === "iss") return "wrong_issuer";
    if (err.claim === "aud") return "wrong_audience";
    if (err.claim === "nbf" || err.claim === "iat") return "not_yet_valid";
    return "invalid_claim";
  }
  if (err instanceof errors.JWSSignatureVerificationFailed) return "bad_signature";
  if (err instanceof errors.JWKSNoMatchingKey || err instanceof errors.JWKSMultipleMatchingKeys) return "unknown_kid";
  if (err instanceof errors.JOSEAlgNotAllowed) return "algorithm_not_allowed";
  return "malformed";
}

export interface UserTokenVerifierOptions {
  jwks: JwksCache;
  issuer: string;
  audience: string;
  algorithms: string[];
  clockToleranceSeconds: number;
  maxTokenBytes: number;
  /** Verified tokens remembered (default 10,000); the oldest go first. */
  cacheSize?: number;
  now?: () => number;
}

export interface UserTokenVerifier {
  /** The identity of a token verified before and still valid, without any crypto; undefined otherwise. */
  cached(token: string): UserIdentity | undefined;
  /** Full verification (throws TokenRejectedError, or KeysUnavailableError when no keys can be had). */
  verify(token: string): Promise<UserIdentity>;
  size(): number;
}

const MAX_HEADER_SEGMENT = 1_024;
const MAX_SUBJECT = 255;

function scopesOf(payload: JWTPayload): Set<string> {
  // OIDC providers put scopes in `scope` (space-separated) or `scp` (array, or a string in some).
  const { scope, scp } = payload as { scope?: unknown; scp?: unknown };
  const out = new Set<string>();
  for (const v of [scope, scp]) {
    if (typeof v === "string") for (const s of v.split(" ")) s && out.add(s);
    else if (Array.isArray(v)) for (const s of v) typeof s === "string" && s && out.add(s);
    else if (v !== undefined) throw new TokenRejectedError("scope/scp has an unexpected type", "invalid_claim");
  }
  return out;
}

/** The log reason for a signed token from another issuer: both values, and whether only a trailing slash differs. */
function issuerMismatch(err: Error, configured: string): string {
  const iss = (err as errors.JWTClaimValidationFailed).payload?.iss;
  if (typeof iss !== "string") return err.message;
  const shown = JSON.stringify(iss.length > 200 ? `${iss.slice(0, 200)}…` : iss);
  return `iss ${shown} is not the configured issuer ${JSON.stringify(configured)}${trailingSlashHint(configured, iss)}`;
}

export function createUserTokenVerifier(opts: UserTokenVerifierOptions): UserTokenVerifier {
  const now = opts.now ?? Date.now;
  const cacheSize = opts.cacheSize ?? 10_000;
  const tolerance = opts.clockToleranceSeconds;
  const cache = new Map<string, { identity: UserIdentity; untilMs: number; generation: number }>();

  const check = (token: string) => {
    if (token.length > opts.maxTokenBytes) throw new TokenRejectedError(`token longer than ${opts.maxTokenBytes} bytes`, "too_large");
    const dot = token.indexOf(".");
    if (dot < 0 || dot > MAX_HEADER_SEGMENT) throw new TokenRejectedError("JOSE header missing or too large", "malformed");
  };

  return {
    size: () => cache.size,
    cached(token) {
      const hit = cache.get(token);
      if (hit === undefined) return undefined;
      // Valid until expiry, and only while the key set that verified it is current and fresh (rotation, removal).
      if (hit.untilMs > now() && hit.generation === opts.jwks.generation() && opts.jwks.isFresh()) return hit.identity;
      cache.delete(token);
      return undefined;
    },
    async verify(token) {
      check(token);
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, opts.jwks.getKey, {
          issuer: opts.issuer,
          audience: opts.audience,
          algorithms: opts.algorithms,
          requiredClaims: ["exp", "iat", "sub"],
          clockTolerance: tolerance,
          currentDate: new Date(now()),
        }));
      } catch (err) {
        if (err instanceof errors.JOSEError || err instanceof TypeError || err instanceof SyntaxError) {
          const reason = joseFailureReason(err);
          throw new TokenRejectedError(reason === "wrong_issuer" ? issuerMismatch(err, opts.issuer) : err.message, reason);
        }
        throw err;
      }
      const { sub, exp, iat } = payload as { sub: unknown; exp: number; iat: number };
      if (typeof sub !== "string" || sub.length === 0 || sub.length > MAX_SUBJECT) throw new TokenRejectedError("sub is empty or too long", "invalid_claim");
      if (iat > now() / 1000 + tolerance) throw new TokenRejectedError("iat is in the future", "not_yet_valid");
      const identity: UserIdentity = { subject: sub, scopes: scopesOf(payload), expMs: exp * 1000, internal: new Map() };
      if (cache.size >= cacheSize) {
        const oldest = cache.keys().next().value;
        if (oldest !== undefined) cache.delete(oldest);
      }
      cache.set(token, { identity, untilMs: (exp + tolerance) * 1000, generation: opts.jwks.generation() });
      return identity;
    },
  };
}
