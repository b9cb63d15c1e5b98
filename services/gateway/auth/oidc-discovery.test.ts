// OIDC discovery at startup: retries only what may heal, and refuses an issuer, jwks_uri or algorithm set that cannot work.
import { describe, expect, test } from "bun:test";
import { parseEnv } from "../../../lib/config/env.ts";
import { createLogger, silentLogger } from "../../../lib/logging/logger.ts";
import { gatewayEnv } from "../config.ts";
import { discoverIssuer, discoveryUrl, IssuerDiscoveryError } from "./oidc-discovery.ts";
import { resolveTokenIssuer } from "./token-issuer.ts";

const ISSUER = "https://id.example.com/realms/platform";
const document = (extra: Record<string, unknown> = {}) => ({
  issuer: ISSUER,
  jwks_uri: `${ISSUER}/protocol/openid-connect/certs`,
  id_token_signing_alg_values_supported: ["RS256", "PS256"],
  ...extra,
});

/** A fetch that plays the given answers in turn (an Error is thrown) and records the URLs asked. */
function scripted(...answers: (Response | Error)[]) {
  const asked: string[] = [];
  const fetch = async (url: string) => {
    asked.push(url);
    const next = answers.shift();
    if (next === undefined) throw new Error("no more answers");
    if (next instanceof Error) throw next;
    return next;
  };
  return { asked, fetch };
}

const discover = (fetch: ReturnType<typeof scripted>["fetch"], issuer = ISSUER, pauses: number[] = []) =>
  discoverIssuer({ issuer, fetch, timeoutMs: 1_000, retries: 3, log: silentLogger, sleep: async (ms) => void pauses.push(ms) });

const refused = (p: Promise<unknown>) =>
  p.then(
    () => expect.unreachable("discovery succeeded"),
    (err) => {
      expect(err).toBeInstanceOf(IssuerDiscoveryError);
      return (err as Error).message;
    },
  );

describe("discoverIssuer", () => {
  test("the document's URL: the issuer without its terminating slash, then /.well-known/openid-configuration", () => {
    expect(discoveryUrl("https://id.example.com")).toBe("https://id.example.com/.well-known/openid-configuration");
    expect(discoveryUrl("https://id.example.com/")).toBe("https://id.example.com/.well-known/openid-configuration");
    expect(discoveryUrl(ISSUER)).toBe(`${ISSUER}/.well-known/openid-configuration`);
  });

  test("reads issuer, jwks_uri and the signing algorithms", async () => {
    const s = scripted(Response.json(document()));
    expect(await discover(s.fetch)).toEqual({ issuer: ISSUER, jwksUri: `${ISSUER}/protocol/openid-connect/certs`, signingAlgorithms: ["RS256", "PS256"] });
    expect(s.asked).toEqual([`${ISSUER}/.well-known/openid-configuration`]);
  });

  test("network errors, 5xx and 429 are retried with doubling pauses, then it succeeds", async () => {
    const pauses: number[] = [];
    const s = scripted(new Error("connect ECONNREFUSED"), new Response("", { status: 503 }), new Response("", { status: 429 }), Response.json(document()));
    expect((await discover(s.fetch, ISSUER, pauses)).issuer).toBe(ISSUER);
    expect(s.asked).toHaveLength(4);
    expect(pauses).toEqual([250, 500, 1_000]);
  });

  test("when the retries are spent: one message with the URL, the attempts and the last error", async () => {
    const s = scripted(...Array.from({ length: 4 }, () => new Error("connect ECONNREFUSED 127.0.0.1:9")));
    expect(await refused(discover(s.fetch))).toBe(
      `OIDC discovery failed: ${ISSUER}/.well-known/openid-configuration could not be read in 4 attempts (last: connect ECONNREFUSED 127.0.0.1:9)`,
    );
    expect(s.asked).toHaveLength(4);
  });

  test("a timeout is one failed attempt, named as such", async () => {
    const never = () => new Promise<Response>((_, reject) => setTimeout(() => reject(Object.assign(new Error("aborted"), { name: "TimeoutError" })), 5));
    const message = await refused(discoverIssuer({ issuer: ISSUER, fetch: never, timeoutMs: 5, retries: 0, log: silentLogger }));
    expect(message).toEndWith("could not be read in 1 attempt (last: no answer within 5 ms)");
  });

  test("404, a redirect and non-JSON are refused at once, without retries", async () => {
    const s404 = scripted(new Response("nope", { status: 404 }));
    expect(await refused(discover(s404.fetch))).toBe(
      `${ISSUER}/.well-known/openid-configuration answered HTTP 404: no discovery document there; OIDC_ISSUER_URL must be the issuer itself`,
    );
    expect(s404.asked).toHaveLength(1);
    const redirect = scripted(new Response("", { status: 301, headers: { location: "https://login.example.com/x" } }));
    expect(await refused(discover(redirect.fetch))).toContain("answered HTTP 301 (a redirect to https://login.example.com/x, not followed)");
    const html = scripted(new Response("<html>", { headers: { "content-type": "text/html" } }));
    expect(await refused(discover(html.fetch))).toContain("answered text/html that is not JSON");
  });

  test("the document's issuer must equal OIDC_ISSUER_URL exactly: both values named, a trailing slash pointed out", async () => {
    const other = scripted(Response.json(document({ issuer: "https://other.example.com" })));
    expect(await refused(discover(other.fetch))).toBe(
      `the discovery document at ${ISSUER}/.well-known/openid-configuration names issuer "https://other.example.com", but OIDC_ISSUER_URL is "${ISSUER}"; ` +
        "they must be equal exactly: tokens carry the issuer's own value in iss",
    );
    const slash = scripted(Response.json(document()));
    expect(await refused(discover(slash.fetch, `${ISSUER}/`))).toContain(
      `names issuer "${ISSUER}", but OIDC_ISSUER_URL is "${ISSUER}/"; they must be equal exactly (they differ only by a trailing slash; issuers are compared exactly)`,
    );
  });

  test("a missing or non-http jwks_uri is refused", async () => {
    for (const jwks_uri of [undefined, "file:///etc/keys.json", 42]) {
      expect(await refused(discover(scripted(Response.json(document({ jwks_uri }))).fetch))).toContain("has no http(s) jwks_uri");
    }
  });
});

describe("resolveTokenIssuer with OIDC_ISSUER_URL", () => {
  const jwk = JSON.stringify({ kty: "OKP", crv: "Ed25519", kid: "k", x: "x", d: "d" });
  const cfg = (algorithms: string) =>
    parseEnv("gateway", gatewayEnv, { OIDC_ISSUER_URL: ISSUER, JWT_AUDIENCE: "api", JWT_ALGORITHMS: algorithms, INTERNAL_AUTH_PRIVATE_JWK: jwk });

  test("JWT_ALGORITHMS is narrowed to what the issuer signs with, and a log line says so", async () => {
    const lines: Record<string, unknown>[] = [];
    const log = createLogger({ service: "gateway", sink: (l) => lines.push(JSON.parse(l)) });
    const issuer = await resolveTokenIssuer(cfg("ES256,PS256,RS256"), { log, fetch: scripted(Response.json(document())).fetch });
    expect(issuer).toEqual({ issuer: ISSUER, audience: "api", jwksUrl: `${ISSUER}/protocol/openid-connect/certs`, algorithms: ["PS256", "RS256"] });
    const line = lines.find((l) => String(l.msg).startsWith("user-token algorithms"));
    expect(line?.msg).toBe("user-token algorithms: JWT_ALGORITHMS ∩ the issuer's id_token_signing_alg_values_supported");
    expect(line).toMatchObject({ algorithms: ["PS256", "RS256"], configured: ["ES256", "PS256", "RS256"], issuer_supports: ["RS256", "PS256"] });
  });

  test("no algorithm in common stops the start; no list in the document keeps JWT_ALGORITHMS", async () => {
    const none = resolveTokenIssuer(cfg("ES256"), { log: silentLogger, fetch: scripted(Response.json(document())).fetch });
    expect(await refused(none)).toBe("the issuer signs with RS256, PS256 and JWT_ALGORITHMS allows ES256: no algorithm in common");
    const unlisted = scripted(Response.json(document({ id_token_signing_alg_values_supported: undefined })));
    expect((await resolveTokenIssuer(cfg("ES256"), { log: silentLogger, fetch: unlisted.fetch })).algorithms).toEqual(["ES256"]);
  });
});
