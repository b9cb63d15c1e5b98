// The gateway process against a real OIDC provider (panva's oidc-provider, run in this Bun process): discovery, its JWT access tokens, misconfigurations.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { generateDevKeyPair } from "../../lib/auth/dev-keys.ts";
import { createInternalTokenVerifier } from "../../lib/auth/internal-token.ts";
import { runToExit, type ServiceProcess, startService } from "../../lib/testing/service-process.ts";
import { stubServer } from "../../services/gateway/testing/harness.ts";
import { CLIENT_ID, type LocalOidcProvider, startOidcProvider } from "../../services/gateway/testing/oidc-provider.ts";

const AUDIENCE = "api://platform";
let op: LocalOidcProvider;
let upstream: ReturnType<typeof stubServer>;
let keys: Awaited<ReturnType<typeof generateDevKeyPair>>;
const started: ServiceProcess[] = [];

beforeAll(async () => {
  op = await startOidcProvider({ audiences: [AUDIENCE, "api://billing"], scopes: "orders:read orders:write" });
  upstream = stubServer(() => Response.json({ items: [], nextCursor: null }));
  keys = await generateDevKeyPair("gw-internal");
});
afterAll(async () => {
  for (const p of started) await p.stop("SIGKILL");
  upstream.stop();
  await op.close();
});

const gatewayEnv = (env: Record<string, string>) => ({
  JWT_AUDIENCE: AUDIENCE,
  INTERNAL_AUTH_PRIVATE_JWK: JSON.stringify(keys.privateJwk),
  ORDERS_URL: upstream.url,
  DRAIN_DELAY_MS: "0",
  ...env,
});
async function startGateway(env: Record<string, string>): Promise<ServiceProcess> {
  const gw = await startService(["bun", "services/gateway/main.ts"], gatewayEnv(env));
  started.push(gw);
  return gw;
}
const logLines = (gw: ServiceProcess) =>
  gw
    .output()
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe("OIDC_ISSUER_URL pointing at oidc-provider", () => {
  let gw: ServiceProcess;
  beforeAll(async () => {
    gw = await startGateway({ OIDC_ISSUER_URL: op.issuer });
  }, 30_000);

  test("the start reads the discovery document: its jwks_uri, and JWT_ALGORITHMS narrowed to what the provider signs with", () => {
    const lines = logLines(gw);
    expect(lines.find((l) => l.msg === "oidc discovery")).toMatchObject({ issuer: op.issuer, jwks_uri: op.jwksUri });
    expect(lines.find((l) => l.msg === "user-token algorithms: JWT_ALGORITHMS ∩ the issuer's id_token_signing_alg_values_supported")).toMatchObject({
      algorithms: ["RS256"],
      configured: ["RS256", "ES256"],
    });
  });

  test("its client-credentials JWT access token passes: the routed call reaches orders as the client, with its scope", async () => {
    const token = await op.clientToken(AUDIENCE, "orders:read");
    const [header] = token.split(".");
    expect(JSON.parse(Buffer.from(header ?? "", "base64url").toString()).typ).toBe("at+jwt"); // RFC 9068, not a hand-made token
    const before = upstream.seen.length;
    const res = await fetch(`${gw.url}/v1/orders`, { headers: bearer(token) });
    expect(res.status).toBe(200);
    expect(upstream.seen).toHaveLength(before + 1);
    const internal = upstream.seen.at(-1)?.headers.authorization ?? "";
    const principal = await createInternalTokenVerifier({ jwks: keys.jwks, audience: "orders" })(internal.slice("Bearer ".length));
    expect(principal.subject).toBe(CLIENT_ID);
    expect([...principal.scopes]).toEqual(["orders:read"]);
    // the `scope` string is what the permission check reads: orders:read does not allow placing an order
    const post = await fetch(`${gw.url}/v1/orders`, { method: "POST", headers: { ...bearer(token), "content-type": "application/json" }, body: "{}" });
    expect(post.status).toBe(403);
    expect(upstream.seen).toHaveLength(before + 1);
  });

  test("a token the same provider issued for another audience is refused (401, never forwarded), the reason logged", async () => {
    const token = await op.clientToken("api://billing", "orders:read");
    const before = upstream.seen.length;
    const res = await fetch(`${gw.url}/v1/orders`, { headers: bearer(token) });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toContain('error="invalid_token"');
    expect(upstream.seen).toHaveLength(before);
    await Bun.sleep(50); // the log is batched
    expect(logLines(gw).find((l) => l.msg === "user token rejected")?.failure).toBe("wrong_audience");
  });
});

describe("issuer mix-ups against oidc-provider", () => {
  test("OIDC_ISSUER_URL with a trailing slash the provider does not write: the start fails naming both values", async () => {
    const run = await runToExit(["bun", "services/gateway/main.ts"], gatewayEnv({ OIDC_ISSUER_URL: `${op.issuer}/` }));
    expect(run.code).toBe(1);
    expect(run.failure).toBe(
      `the discovery document at ${op.issuer}/.well-known/openid-configuration names issuer "${op.issuer}", but OIDC_ISSUER_URL is "${op.issuer}/"; ` +
        "they must be equal exactly (they differ only by a trailing slash; issuers are compared exactly): tokens carry the issuer's own value in iss",
    );
  }, 20_000);

  test("JWT_ISSUER with a trailing slash (JWKS_URL form): tokens refused, the 401 log line names the trailing slash", async () => {
    const gw = await startGateway({ JWKS_URL: op.jwksUri, JWT_ISSUER: `${op.issuer}/` });
    const res = await fetch(`${gw.url}/v1/orders`, { headers: bearer(await op.clientToken(AUDIENCE, "orders:read")) });
    expect(res.status).toBe(401);
    await Bun.sleep(50);
    const line = logLines(gw).find((l) => l.msg === "user token rejected");
    expect(line?.failure).toBe("wrong_issuer");
    expect(line?.reason).toBe(
      `iss "${op.issuer}" is not the configured issuer "${op.issuer}/" (they differ only by a trailing slash; issuers are compared exactly)`,
    );
  }, 20_000);
});

describe("JWKS_URL misconfigured against oidc-provider: the start fails saying what was found", () => {
  const run = (jwksUrl: string) =>
    runToExit(["bun", "services/gateway/main.ts"], gatewayEnv({ JWKS_URL: jwksUrl, JWT_ISSUER: op.issuer, ORDERS_URL: upstream.url }));

  test("the discovery document's URL: named as such, with OIDC_ISSUER_URL suggested", async () => {
    const r = await run(`${op.issuer}/.well-known/openid-configuration`);
    expect(r.code).toBe(1);
    expect(r.failure).toContain(`answered an OIDC discovery document (issuer "${op.issuer}", jwks_uri "${op.jwksUri}"), not a key set`);
    expect(r.failure).toContain(`set OIDC_ISSUER_URL=${op.issuer} instead of JWKS_URL and JWT_ISSUER`);
    expect(r.lines.some((l) => l.msg === "ready")).toBe(false);
  }, 20_000);

  test("a path the provider does not serve: its 404", async () => {
    const r = await run(`${op.issuer}/.well-known/jwks.json`);
    expect(r.code).toBe(1);
    expect(r.failure).toBe(`JWKS URL ${op.issuer}/.well-known/jwks.json answered HTTP 404, not a key set: check the URL`);
  }, 20_000);
});
