// Reads the bearer token from Authorization and builds the RFC 6750 WWW-Authenticate challenges.

export const REALM = "api";

// RFC 6750 §2.1: "Bearer" (case-insensitive) SP b64token. A JWT is three base64url segments.
const BEARER = /^[Bb][Ee][Aa][Rr][Ee][Rr] +([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/;

export type BearerResult = { token: string } | { missing: true } | { malformed: true };

export function bearerToken(header: string | null, maxLength: number): BearerResult {
  if (header === null || header === "") return { missing: true };
  if (header.length > maxLength + 7) return { malformed: true };
  const m = BEARER.exec(header);
  return m?.[1] ? { token: m[1] } : { malformed: true };
}

/**
 * The credentials after "Bearer " without validating them: only for looking up tokens verified before (an exact
 * match of a string that passed full verification needs no syntax check). Anything else goes through bearerToken.
 */
export function bearerCandidate(header: string | null): string | undefined {
  if (header === null || header.length < 8 || header.charCodeAt(6) !== 32) return undefined;
  const scheme = header.slice(0, 6);
  return scheme === "Bearer" || scheme.toLowerCase() === "bearer" ? header.slice(7) : undefined;
}

/** No credentials: the challenge only (RFC 6750 §3.1 says no error code then). */
export const CHALLENGE_MISSING = `Bearer realm="${REALM}"`;
export const CHALLENGE_INVALID = `Bearer realm="${REALM}", error="invalid_token", error_description="The access token is missing, malformed, expired or not valid here"`;

export function insufficientScopeChallenge(scopes: readonly string[]): string {
  return `Bearer realm="${REALM}", error="insufficient_scope", scope="${scopes.join(" ")}"`;
}
