// Reads an issuer's JWKS answer; for a URL that answers something else (a discovery document, 404, other JSON) it says what was found.
import type { JSONWebKeySet } from "jose";
import { trailingSlashHint } from "./issuer-hint.ts";

/** The URL answers, but not with keys: no retry will change that, so startup stops with this message. */
export class JwksMisconfiguredError extends Error {
  override name = "JwksMisconfiguredError";
}

/** Statuses worth retrying: the URL may be right and the issuer briefly down or overloaded. */
export function isTransientStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

export interface JwksAnswer {
  url: string;
  status: number;
  contentType: string | null;
  location?: string | null;
  text: string;
  /** The configured issuer, to point out a trailing-slash difference when the answer is a discovery document. */
  expectedIssuer?: string;
}

const shorten = (text: string, max = 60) => JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);

/** The key set in a 200 answer; throws JwksMisconfiguredError for a wrong URL, a plain Error for a transient failure. */
export function readJwks(a: JwksAnswer): JSONWebKeySet {
  if (a.status !== 200) {
    if (isTransientStatus(a.status)) throw new Error(`JWKS answered ${a.status}`);
    const where = a.status >= 300 && a.status < 400 ? ` (a redirect to ${a.location ?? "nowhere"}, not followed: use the final URL)` : "";
    throw new JwksMisconfiguredError(`JWKS URL ${a.url} answered HTTP ${a.status}${where}, not a key set: check the URL`);
  }
  let body: unknown;
  try {
    body = JSON.parse(a.text);
  } catch {
    throw new JwksMisconfiguredError(
      `JWKS URL ${a.url} answered ${a.contentType ?? "no content type"} that is not JSON (begins ${shorten(a.text.trimStart())}), not a key set`,
    );
  }
  const doc = (typeof body === "object" && body !== null && !Array.isArray(body) ? body : {}) as Record<string, unknown>;
  if (Array.isArray(doc.keys)) return doc as unknown as JSONWebKeySet;
  if (typeof doc.issuer === "string" && typeof doc.jwks_uri === "string") {
    const hint = a.expectedIssuer ? trailingSlashHint(a.expectedIssuer, doc.issuer) : "";
    const slash = hint && `; JWT_ISSUER ${JSON.stringify(a.expectedIssuer)} and this issuer${hint}`;
    throw new JwksMisconfiguredError(
      `JWKS URL ${a.url} answered an OIDC discovery document (issuer ${JSON.stringify(doc.issuer)}, jwks_uri ${JSON.stringify(doc.jwks_uri)}), not a key set: ` +
        `set OIDC_ISSUER_URL=${doc.issuer} instead of JWKS_URL and JWT_ISSUER, or JWKS_URL=${doc.jwks_uri}${slash}`,
    );
  }
  const members = Array.isArray(body)
    ? "an array"
    : typeof body === "object" && body !== null
      ? `members: ${Object.keys(doc).slice(0, 8).join(", ") || "none"}`
      : typeof body;
  throw new JwksMisconfiguredError(`JWKS URL ${a.url} answered JSON without a "keys" array (${members}), not a key set`);
}
