// The issuer's signing keys, fetched from JWKS_URL and cached: refetched when stale, and for an unknown kid at most once per cooldown.
import { createLocalJWKSet, errors, type FlattenedJWSInput, type JSONWebKeySet, type JWTHeaderParameters } from "jose";
import type { Logger } from "../../../lib/logging/logger.ts";
import { readJwks } from "./jwks-document.ts";

export interface JwksCacheOptions {
  url: string;
  /** The issuer in force, named in the error when the URL answers a discovery document instead of keys. */
  issuer?: string;
  /** Used for every fetch; main.ts passes the global fetch, the dev issuer an in-memory answer. */
  fetch?: (url: string, init: RequestInit) => Promise<Response>;
  /** A fetched key set is used this long, then fetched again (a removed key stops working then). */
  maxAgeMs: number;
  /** At most one fetch per this period, whatever triggers it (unknown kid, staleness, failures). */
  cooldownMs: number;
  timeoutMs: number;
  log: Logger;
  now?: () => number;
}

/** The key set could not be fetched and none is cached: the gateway cannot judge tokens (503, not 401). */
export class KeysUnavailableError extends Error {
  override name = "KeysUnavailableError";
}

export interface JwksCache {
  /** Key resolver for jose's jwtVerify. */
  getKey(header: JWTHeaderParameters, token: FlattenedJWSInput): Promise<CryptoKey | Uint8Array>;
  /** True while the cached set is younger than maxAge (cached verifications stay valid only then). */
  isFresh(): boolean;
  /** Bumped whenever the fetched set differs from the previous one. */
  generation(): number;
  stats(): { fetches: number; failures: number; keys: number };
  /**
   * Makes sure a key set is loaded (fetching at most once per cooldown); for the readiness probe and the startup check.
   * Its KeysUnavailableError carries the last fetch failure as `cause` (a JwksMisconfiguredError for a wrong URL).
   */
  ensureLoaded(): Promise<void>;
}

// A kid is an opaque string, but one with path, quote or control characters is no key of ours: no fetch for it.
const PLAUSIBLE_KID = /^[A-Za-z0-9._~+/=:-]{1,128}$/;
const MAX_JWKS_BYTES = 256 * 1024;

export function createJwksCache(opts: JwksCacheOptions): JwksCache {
  const fetchImpl = opts.fetch ?? ((url, init) => fetch(url, init));
  const now = opts.now ?? Date.now;
  let local: ReturnType<typeof createLocalJWKSet> | undefined;
  let kids = new Set<string>();
  let lastText = "";
  let fetchedAt = Number.NEGATIVE_INFINITY;
  let attemptedAt = Number.NEGATIVE_INFINITY;
  let generation = 0;
  let fetches = 0;
  let failures = 0;
  let pending: Promise<void> | undefined;
  let lastFailure: Error | undefined;

  const load = async () => {
    attemptedAt = now();
    fetches++;
    const res = await fetchImpl(opts.url, {
      headers: { accept: "application/jwk-set+json, application/json" },
      redirect: "manual",
      signal: AbortSignal.timeout(opts.timeoutMs),
    });
    const text = await res.text();
    if (text.length > MAX_JWKS_BYTES) throw new Error("JWKS is too large");
    if (res.status !== 200 || text !== lastText) {
      const answer = { url: opts.url, status: res.status, contentType: res.headers.get("content-type"), location: res.headers.get("location") };
      const jwks: JSONWebKeySet = readJwks({ ...answer, text, expectedIssuer: opts.issuer });
      local = createLocalJWKSet(jwks);
      kids = new Set(jwks.keys.map((k) => k.kid).filter((k): k is string => typeof k === "string"));
      lastText = text;
      generation++;
      opts.log.info("jwks loaded", { url: opts.url, keys: jwks.keys.length, kids: [...kids] });
    }
    fetchedAt = now();
    lastFailure = undefined;
  };

  /** Fetches unless one is running (then joins it) or the cooldown since the last attempt has not passed. */
  const refresh = async (): Promise<void> => {
    if (!pending) {
      if (now() - attemptedAt < opts.cooldownMs) return;
      pending = load()
        .catch((err) => {
          failures++;
          lastFailure = err as Error;
          opts.log.warn("jwks fetch failed", { url: opts.url, err: (err as Error).message });
        })
        .finally(() => {
          pending = undefined;
        });
    }
    return pending;
  };

  return {
    async getKey(header, token) {
      // Stale keys are refetched; if that fails the old set is kept (an issuer outage must not lock every user out).
      if (now() - fetchedAt >= opts.maxAgeMs) await refresh();
      if (!local) throw new KeysUnavailableError("the issuer's JWKS could not be fetched");
      const kid = header.kid;
      if (kid !== undefined && !kids.has(kid)) {
        if (!PLAUSIBLE_KID.test(kid)) throw new errors.JWKSNoMatchingKey();
        await refresh(); // a key rotated in; the cooldown bounds what random kids can cost the issuer
        if (!kids.has(kid)) throw new errors.JWKSNoMatchingKey();
      }
      return local(header, token);
    },
    isFresh: () => now() - fetchedAt < opts.maxAgeMs,
    generation: () => generation,
    stats: () => ({ fetches, failures, keys: kids.size }),
    async ensureLoaded() {
      if (!local || now() - fetchedAt >= opts.maxAgeMs) await refresh();
      if (!local) throw new KeysUnavailableError(`the issuer's JWKS is not loaded${lastFailure ? `: ${lastFailure.message}` : ""}`, { cause: lastFailure });
    },
  };
}
