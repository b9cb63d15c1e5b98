// What a JWKS URL answered, said plainly: keys are read; a discovery document, an error status or other JSON is named as such.
import { describe, expect, test } from "bun:test";
import { silentLogger } from "../../../lib/logging/logger.ts";
import { createJwksCache, KeysUnavailableError } from "./jwks-cache.ts";
import { JwksMisconfiguredError, readJwks } from "./jwks-document.ts";

const url = "https://id.example.com/jwks";
const answer = (status: number, text: string, extra: { contentType?: string; location?: string; expectedIssuer?: string } = {}) => ({
  url,
  status,
  text,
  contentType: extra.contentType ?? "application/json",
  location: extra.location,
  expectedIssuer: extra.expectedIssuer,
});
const misconfigured = (a: ReturnType<typeof answer>) => {
  try {
    readJwks(a);
  } catch (err) {
    expect(err).toBeInstanceOf(JwksMisconfiguredError);
    return (err as Error).message;
  }
  return expect.unreachable("read as a key set");
};

describe("readJwks", () => {
  test("a key set is read", () => {
    expect(readJwks(answer(200, JSON.stringify({ keys: [{ kty: "RSA", kid: "a" }] }))).keys).toHaveLength(1);
  });

  test("a discovery document: both its values and the variable to use instead", () => {
    const doc = JSON.stringify({ issuer: "https://id.example.com", jwks_uri: "https://id.example.com/certs", token_endpoint: "https://id.example.com/token" });
    const msg = misconfigured(answer(200, doc));
    expect(msg).toBe(
      `JWKS URL ${url} answered an OIDC discovery document (issuer "https://id.example.com", jwks_uri "https://id.example.com/certs"), not a key set: ` +
        "set OIDC_ISSUER_URL=https://id.example.com instead of JWKS_URL and JWT_ISSUER, or JWKS_URL=https://id.example.com/certs",
    );
    // with JWT_ISSUER one slash off, that is pointed out as well
    expect(misconfigured(answer(200, doc, { expectedIssuer: "https://id.example.com/" }))).toEndWith(
      '; JWT_ISSUER "https://id.example.com/" and this issuer (they differ only by a trailing slash; issuers are compared exactly)',
    );
  });

  test("404, 401 and a redirect are misconfigurations; 5xx, 408 and 429 may heal and are plain errors", () => {
    expect(misconfigured(answer(404, "Not Found", { contentType: "text/plain" }))).toBe(`JWKS URL ${url} answered HTTP 404, not a key set: check the URL`);
    expect(misconfigured(answer(401, ""))).toContain("answered HTTP 401");
    expect(misconfigured(answer(302, "", { location: "https://login.example.com/" }))).toContain(
      "answered HTTP 302 (a redirect to https://login.example.com/, not followed: use the final URL)",
    );
    for (const status of [500, 502, 503, 408, 429]) {
      expect(() => readJwks(answer(status, "busy"))).toThrow(`JWKS answered ${status}`);
      expect(() => readJwks(answer(status, "busy"))).not.toThrow(JwksMisconfiguredError);
    }
  });

  test("JSON that is no key set, and no JSON at all", () => {
    expect(misconfigured(answer(200, JSON.stringify({ status: "ok", version: 3 })))).toBe(
      `JWKS URL ${url} answered JSON without a "keys" array (members: status, version), not a key set`,
    );
    expect(misconfigured(answer(200, "[1,2]"))).toContain("(an array)");
    expect(misconfigured(answer(200, '{"keys":{"kid":"a"}}'))).toContain("(members: keys)");
    expect(misconfigured(answer(200, "<!DOCTYPE html><html><body>Welcome</body></html>", { contentType: "text/html" }))).toBe(
      `JWKS URL ${url} answered text/html that is not JSON (begins "<!DOCTYPE html><html><body>Welcome</body></html>"), not a key set`,
    );
  });
});

describe("the key cache keeps the reason", () => {
  /** What ensureLoaded throws when every fetch gets `answer`. */
  const loadFailure = (answer: () => Promise<Response>) =>
    createJwksCache({ url, fetch: answer, maxAgeMs: 60_000, cooldownMs: 1_000, timeoutMs: 1_000, log: silentLogger })
      .ensureLoaded()
      .then(
        () => expect.unreachable("loaded"),
        (e) => e as Error,
      );

  test("ensureLoaded fails with the misconfiguration as its cause (what the startup check looks at)", async () => {
    const err = await loadFailure(async () => Response.json({ issuer: "https://id.example.com", jwks_uri: "https://id.example.com/certs" }));
    expect(err).toBeInstanceOf(KeysUnavailableError);
    expect(err.cause).toBeInstanceOf(JwksMisconfiguredError);
    expect(err.message).toContain("not loaded: JWKS URL https://id.example.com/jwks answered an OIDC discovery document");
  });

  test("an unreachable issuer is no misconfiguration: the cause is a plain error", async () => {
    const err = await loadFailure(() => Promise.reject(new Error("connection refused")));
    expect(err).toBeInstanceOf(KeysUnavailableError);
    expect(err.cause).not.toBeInstanceOf(JwksMisconfiguredError);
    expect(err.message).toContain("connection refused");
  });
});
