// The user-token verifier on its own: scopes from `scope` strings and `scp` arrays, and the log reason of an issuer mix-up.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { importJWK, type JWTPayload, SignJWT } from "jose";
import { createLogger, silentLogger } from "../../../lib/logging/logger.ts";
import { generateDevIssuerKeys } from "../dev-issuer/issuer.ts";
import { AUDIENCE, gatewayHarness, type Harness, ISSUER } from "../testing/harness.ts";
import { createJwksCache } from "./jwks-cache.ts";
import { createUserTokenVerifier, TokenRejectedError } from "./user-token.ts";

const keys = await generateDevIssuerKeys("k1");
const verifier = createUserTokenVerifier({
  jwks: createJwksCache({
    url: "http://issuer.test/jwks",
    fetch: async () => Response.json(keys.jwks),
    maxAgeMs: 60_000,
    cooldownMs: 1_000,
    timeoutMs: 1_000,
    log: silentLogger,
  }),
  issuer: ISSUER,
  audience: AUDIENCE,
  algorithms: ["RS256"],
  clockToleranceSeconds: 10,
  maxTokenBytes: 8_192,
});

async function sign(claims: JWTPayload): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ iss: ISSUER, aud: AUDIENCE, sub: "alice", iat: now, exp: now + 600, ...claims })
    .setProtectedHeader({ alg: "RS256", kid: "k1" })
    .sign(await importJWK(keys.privateJwk, "RS256"));
}

const refusal = (token: Promise<string>) =>
  token
    .then((t) => verifier.verify(t))
    .then(
      () => expect.unreachable("the token was accepted"),
      (err) => {
        expect(err).toBeInstanceOf(TokenRejectedError);
        return err as TokenRejectedError;
      },
    );

describe("scopes", () => {
  test("`scope` as a space-separated string (RFC 9068, oidc-provider, Keycloak)", async () => {
    const id = await verifier.verify(await sign({ scope: "orders:read  orders:write" }));
    expect([...id.scopes]).toEqual(["orders:read", "orders:write"]);
  });

  test("`scp` as an array (Okta) or a string (Entra ID), alone or next to `scope`", async () => {
    expect([...(await verifier.verify(await sign({ scp: ["orders:read", "inference:invoke"] }))).scopes]).toEqual(["orders:read", "inference:invoke"]);
    expect([...(await verifier.verify(await sign({ scp: "orders:write" }))).scopes]).toEqual(["orders:write"]);
    expect([...(await verifier.verify(await sign({ scope: "orders:read", scp: ["orders:write"] }))).scopes]).toEqual(["orders:read", "orders:write"]);
  });

  test("a scope claim of another type is refused, not read as no scopes", async () => {
    expect((await refusal(sign({ scp: { orders: "read" } }))).reason).toBe("invalid_claim");
    expect((await refusal(sign({ scope: 42 }))).reason).toBe("invalid_claim");
  });
});

describe("issuer mix-ups", () => {
  test("an iss differing only by a trailing slash is refused, and the reason says so with both values", async () => {
    for (const iss of [`${ISSUER}/`, `${ISSUER}//`]) {
      const err = await refusal(sign({ iss }));
      expect(err.reason).toBe("wrong_issuer");
      expect(err.message).toBe(
        `iss ${JSON.stringify(iss)} is not the configured issuer ${JSON.stringify(ISSUER)} (they differ only by a trailing slash; issuers are compared exactly)`,
      );
    }
  });

  test("another issuer is named without the hint", async () => {
    const err = await refusal(sign({ iss: "https://evil.test/realms/platform" }));
    expect(err.reason).toBe("wrong_issuer");
    expect(err.message).toBe(`iss "https://evil.test/realms/platform" is not the configured issuer ${JSON.stringify(ISSUER)}`);
  });
});

describe("the 401 log line through the gateway", () => {
  const lines: Record<string, unknown>[] = [];
  let h: Harness;
  beforeAll(async () => {
    h = await gatewayHarness({ log: createLogger({ service: "gateway", sink: (l) => lines.push(JSON.parse(l)) }) });
  });
  afterAll(() => h.close());

  test("a token whose iss has a trailing slash more: 401, and the log line names the trailing slash", async () => {
    const res = await h.get("/v1/orders", h.bearer(await h.token({ iss: `${ISSUER}/` })));
    expect(res.status).toBe(401);
    const line = lines.find((l) => l.msg === "user token rejected");
    expect(line?.failure).toBe("wrong_issuer");
    expect(line?.reason).toContain(`iss "${ISSUER}/" is not the configured issuer "${ISSUER}" (they differ only by a trailing slash`);
    expect(h.upstream.seen).toHaveLength(0);
  });
});
