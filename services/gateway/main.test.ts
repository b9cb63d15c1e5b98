// The gateway process as deployed: a configuration that cannot work stops startup with one message (the path through orders: tests/e2e).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { generateDevKeyPair } from "../../lib/auth/dev-keys.ts";
import { freePort, startService } from "../../lib/testing/service-process.ts";
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

  /** Runs the gateway until it exits (or 15 s pass): its exit code, stdout's JSON lines and how long it ran. */
  async function runToExit(env: Record<string, string>) {
    const t0 = performance.now();
    const proc = Bun.spawn(["bun", "services/gateway/main.ts"], {
      env: { PATH: process.env.PATH ?? "", PORT: String(await freePort()), INTERNAL_AUTH_PRIVATE_JWK: internalJwk, JWT_AUDIENCE: "api", ...env },
      stdout: "pipe",
      stderr: "pipe",
    });
    const timer = setTimeout(() => proc.kill("SIGKILL"), 15_000);
    const [code, stdout] = await Promise.all([proc.exited, new Response(proc.stdout as ReadableStream).text()]);
    clearTimeout(timer);
    const lines = stdout
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    return { code, lines, ms: performance.now() - t0, failure: String(lines.find((l) => l.msg === "startup failed")?.err) };
  }

  const jwksForm = (path: string) => ({ JWKS_URL: `${issuer.url}${path}`, JWT_ISSUER: "https://id.example.com/" });

  test("a JWKS_URL that answers a discovery document: exit 1, naming it and the OIDC_ISSUER_URL to use", async () => {
    issuer.set(() => Response.json({ issuer: "https://id.example.com", jwks_uri: "https://id.example.com/certs", token_endpoint: "https://id.example.com/token" }));
    const run = await runToExit(jwksForm("/.well-known/openid-configuration"));
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
    const notFound = await runToExit(jwksForm("/jwks.json"));
    expect(notFound.code).toBe(1);
    expect(notFound.failure).toBe(`JWKS URL ${issuer.url}/jwks.json answered HTTP 404, not a key set: check the URL`);
    issuer.set(() => Response.json({ status: "UP" }));
    const other = await runToExit(jwksForm("/health"));
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
    const run = await runToExit({ OIDC_ISSUER_URL: closed, OIDC_DISCOVERY_RETRIES: "2" });
    expect(run.code).toBe(1);
    expect(run.failure).toStartWith(`OIDC discovery failed: ${closed}/.well-known/openid-configuration could not be read in 3 attempts (last: `);
    expect(run.lines.filter((l) => l.msg === "oidc discovery failed, retrying").map((l) => l.retry_in_ms)).toEqual([250, 500]);
    expect(run.ms).toBeGreaterThan(750);
  }, 20_000);
});
