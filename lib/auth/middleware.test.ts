import { describe, expect, test } from "bun:test";
import { createServiceApp } from "../http/create-app.ts";
import { silentLogger } from "../logging/logger.ts";
import { generateDevKeyPair } from "./dev-keys.ts";
import { createInternalTokenMinter, createInternalTokenVerifier } from "./internal-token.ts";
import { requireInternalAuth, requireScope } from "./middleware.ts";

const keys = await generateDevKeyPair();
const mint = await createInternalTokenMinter(keys.privateJwk);
const app = createServiceApp({ log: silentLogger });
app.use("/v1/*", requireInternalAuth(createInternalTokenVerifier({ jwks: keys.jwks, audience: "orders" }), "orders"));
app.get("/v1/thing", requireScope("orders:read"), (c) => c.json({ sub: c.get("principal").subject }));

describe("requireInternalAuth", () => {
  test("no token → 401 problem+json with a Bearer challenge", async () => {
    const res = await app.request("/v1/thing");
    expect(res.status).toBe(401);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(res.headers.get("www-authenticate")).toStartWith("Bearer");
    expect((await res.json()).code).toBe("unauthorized");
  });

  test("garbage and non-bearer headers → 401 invalid_token", async () => {
    for (const h of ["Bearer nope", "Basic YTpi", `Bearer ${"a".repeat(5000)}.b.c`]) {
      const res = await app.request("/v1/thing", { headers: { authorization: h } });
      expect(res.status).toBe(401);
    }
  });

  test("valid token without the scope → 403 insufficient_scope", async () => {
    const token = await mint({ audience: "orders", subject: "u1", scopes: ["orders:write"] });
    const res = await app.request("/v1/thing", { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(403);
    expect((await res.json()).code).toBe("insufficient_scope");
  });

  test("valid token with the scope reaches the handler as its subject", async () => {
    const token = await mint({ audience: "orders", subject: "u1", scopes: ["orders:read"] });
    const res = await app.request("/v1/thing", { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ sub: "u1" });
  });
});
