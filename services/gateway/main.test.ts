// The gateway process as deployed: a configuration that cannot work stops startup with one message (the path through orders: tests/e2e).
import { describe, expect, test } from "bun:test";

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
