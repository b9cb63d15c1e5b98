// The gateway process as deployed: a configuration that cannot work stops startup with one message (the path through orders: tests/e2e).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { generateDevKeyPair } from "../../lib/auth/dev-keys.ts";
import { freePort, runToExit, startService } from "../../lib/testing/service-process.ts";
import { generateDevIssuerKeys } from "./dev-issuer/issuer.ts";
import { stubServer } from "./testing/harness.ts";

describe("gateway startup configuration", () => {
  test("the dev issuer next to a production issuer stops startup with one clear message", async () => {
    const proc = Bun.spawn(["bun", "services/gateway/main.ts"], {
      env: { PATH: process.env.PATH ?? "", DEV_ISSUER: "true", JWKS_URL: "https://id.example.com/jwks", JWT_ALGORITHMS: "HS256" },
      stdout: "pipe",
      stderr: "pipe",
    });
    const [code, stderr] = await Promise.all([proc.exited, new Response(proc.stderr as ReadableStream).text()]);
    expect(code).toBe(1);
    expect(stderr).toContain("gateway: invalid configuration (3 problems)");
    expect(stderr).toContain("DEV_ISSUER=true cannot be combined with JWKS_URL");
    expect(stderr).toContain("JWT_ALGORITHMS: only asymmetric algorithms");
    expect(stderr).toContain("INTERNAL_AUTH_PRIVATE_JWK: required but not set");
    expect(stderr).not.toContain("    at ");
  });
});

describe("gateway startup against the issuer", () => {
  let issuer: ReturnType<typeof stubServer>;
  let internalJwk: string;
  let jwks: unknown;
  beforeAll(async () => {
    internalJwk = JSON.stringify((await generateDevKeyPair("gw")).privateJwk);
    jwks = (await generateDevIssuerKeys("k1")).jwks;
    issuer = stubServer();
  });
  afterAll(() => issuer.stop());

  const runGateway = (env: Record<string, string>) =>
    runToExit(["bun", "services/gateway/main.ts"], { INTERNAL_AUTH_PRIVATE_JWK: internalJwk, JWT_AUDIENCE: "api", ...env });

  const jwksForm = (path: string) => ({ JWKS_URL: `${issuer.url}${path}`, JWT_ISSUER: "https://id.example.com/" });

  test("a JWKS_URL that answers a discovery document: exit 1, naming it and the OIDC_ISSUER_URL to use", async () => {
    issuer.set(() =>
      Response.json({ issuer: "https://id.example.com", jwks_uri: "https://id.example.com/certs", token_endpoint: "https://id.example.com/token" }),
    );
    const run = await runGateway(jwksForm("/.well-known/openid-configuration"));
    expect(run.code).toBe(1);
    expect(run.failure).toBe(
      `JWKS URL ${issuer.url}/.well-known/openid-configuration answered an OIDC discovery document (issuer "https://id.example.com", jwks_uri "https://id.example.com/certs"), ` +
        'not a key set: set OIDC_ISSUER_URL=https://id.example.com instead of JWKS_URL and JWT_ISSUER, or JWKS_URL=https://id.example.com/certs; JWT_ISSUER "https://id.example.com/" ' +
        "and this issuer (they differ only by a trailing slash; issuers are compared exactly)",
    );
    expect(run.lines.some((l) => l.msg === "ready")).toBe(false);
  }, 20_000);

  test("a JWKS_URL that answers 404 or JSON without keys: exit 1, saying what was found", async () => {
    issuer.set(() => new Response("Not Found", { status: 404 }));
    const notFound = await runGateway(jwksForm("/jwks.json"));
    expect(notFound.code).toBe(1);
    expect(notFound.failure).toBe(`JWKS URL ${issuer.url}/jwks.json answered HTTP 404, not a key set: check the URL`);
    issuer.set(() => Response.json({ status: "UP" }));
    const other = await runGateway(jwksForm("/health"));
    expect(other.code).toBe(1);
    expect(other.failure).toBe(`JWKS URL ${issuer.url}/health answered JSON without a "keys" array (members: status), not a key set`);
  }, 20_000);

  test("an issuer answering 503 at start is no misconfiguration: started, not ready, ready once the keys load", async () => {
    let up = false;
    issuer.set(() => (up ? Response.json(jwks) : new Response("starting", { status: 503 })));
    const gw = await startService(["bun", "services/gateway/main.ts"], {
      ...jwksForm("/jwks.json"),
      INTERNAL_AUTH_PRIVATE_JWK: internalJwk,
      JWT_AUDIENCE: "api",
      JWKS_COOLDOWN_MS: "100",
      LOG_LEVEL: "warn",
    });
    try {
      expect((await fetch(`${gw.url}/readyz`)).status).toBe(503);
      up = true;
      await Bun.sleep(150);
      expect((await fetch(`${gw.url}/readyz`)).status).toBe(200);
    } finally {
      await gw.stop("SIGKILL");
    }
  }, 20_000);

  test("OIDC discovery unreachable: retried OIDC_DISCOVERY_RETRIES times, then exit 1 with the URL and the last error", async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const run = await runGateway({ OIDC_ISSUER_URL: closed, OIDC_DISCOVERY_RETRIES: "2" });
    expect(run.code).toBe(1);
    expect(run.failure).toStartWith(`OIDC discovery failed: ${closed}/.well-known/openid-configuration could not be read in 3 attempts (last: `);
    expect(run.lines.filter((l) => l.msg === "oidc discovery failed, retrying").map((l) => l.retry_in_ms)).toEqual([250, 500]);
    expect(run.ms).toBeGreaterThan(750);
  }, 20_000);
});
