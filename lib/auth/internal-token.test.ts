import { describe, expect, test } from "bun:test";
import { importJWK, SignJWT } from "jose";
import { generateDevKeyPair } from "./dev-keys.ts";
import { createInternalTokenMinter, createInternalTokenVerifier, InvalidTokenError } from "./internal-token.ts";

const keys = await generateDevKeyPair("k1");
const mint = await createInternalTokenMinter(keys.privateJwk);
const verify = createInternalTokenVerifier({ jwks: keys.jwks, audience: "orders" });

async function rejects(token: string, v = verify): Promise<string> {
  try {
    await v(token);
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidTokenError);
    return (err as Error).message;
  }
  throw new Error("token was accepted");
}

describe("internal token", () => {
  test("a minted token verifies to its subject and scopes", async () => {
    const token = await mint({ audience: "orders", subject: "cust-1", scopes: ["orders:read", "orders:write"] });
    const p = await verify(token);
    expect(p.subject).toBe("cust-1");
    expect([...p.scopes].sort()).toEqual(["orders:read", "orders:write"]);
  });

  test("the lifetime is capped at 60 s whatever is asked", async () => {
    const token = await mint({ audience: "orders", subject: "a", scopes: [], ttlSeconds: 3600 });
    const [, payload] = token.split(".");
    const claims = JSON.parse(atob((payload ?? "").replace(/-/g, "+").replace(/_/g, "/")));
    expect(claims.exp - claims.iat).toBe(60);
    expect(claims.iss).toBe("gateway");
  });

  test("another audience is rejected", async () => {
    const token = await mint({ audience: "notifications", subject: "a", scopes: [] });
    expect(await rejects(token)).toContain("aud");
  });

  test("an expired token is rejected", async () => {
    const token = await mint({ audience: "orders", subject: "a", scopes: [], ttlSeconds: 1 });
    const later = createInternalTokenVerifier({ jwks: keys.jwks, audience: "orders", now: () => Date.now() + 120_000 });
    expect(await rejects(token, later)).toContain("exp");
  });

  test("a token signed by another key is rejected, even with a known kid", async () => {
    const other = await generateDevKeyPair("k1");
    const forged = await (await createInternalTokenMinter(other.privateJwk))({ audience: "orders", subject: "a", scopes: [] });
    await rejects(forged);
  });

  test("a token living longer than 60 s is rejected", async () => {
    const key = await importJWK(keys.privateJwk, "EdDSA");
    const long = await new SignJWT({ scope: "orders:admin" })
      .setProtectedHeader({ alg: "EdDSA", kid: "k1" })
      .setIssuer("gateway")
      .setAudience("orders")
      .setSubject("a")
      .setIssuedAt()
      .setExpirationTime("2h")
      .sign(key);
    expect(await rejects(long)).toContain("lifetime");
  });

  test("HS256 and alg none are rejected", async () => {
    const hs = await new SignJWT({})
      .setProtectedHeader({ alg: "HS256", kid: "k1" })
      .setIssuer("gateway")
      .setAudience("orders")
      .setSubject("a")
      .setIssuedAt()
      .setExpirationTime("30s")
      .sign(new TextEncoder().encode("x".repeat(32)));
    await rejects(hs);
    const none = `${btoa(JSON.stringify({ alg: "none" }))}.${btoa(JSON.stringify({ iss: "gateway", aud: "orders", sub: "a", exp: 9e9, iat: 1 }))}.`;
    await rejects(none);
  });

  test("a tampered payload is rejected", async () => {
    const token = await mint({ audience: "orders", subject: "alice", scopes: [] });
    const [h, , s] = token.split(".");
    const evil = btoa(JSON.stringify({ iss: "gateway", aud: "orders", sub: "mallory", scope: "orders:admin", iat: 1, exp: 9e9 })).replace(/=+$/, "");
    await rejects(`${h}.${evil}.${s}`);
  });
});
