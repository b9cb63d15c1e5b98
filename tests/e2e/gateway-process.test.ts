// The gateway process in front of a real orders process: the README path (dev issuer token → order through the gateway → read back), docs, SIGTERM.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateDevKeyPair } from "../../lib/auth/dev-keys.ts";
import { type ServiceProcess, startService } from "../../lib/testing/service-process.ts";
import { createTempDatabase } from "../../lib/testing/temp-database.ts";

describe("gateway in front of orders, dev issuer on [postgres]", () => {
  let dir: string;
  let db: Awaited<ReturnType<typeof createTempDatabase>>;
  let orders: ServiceProcess;
  let gateway: ServiceProcess;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "gateway-main-"));
    db = await createTempDatabase("gateway_main");
    const keys = await generateDevKeyPair("dev-internal-1");
    orders = await startService(["bun", "services/orders/main.ts"], {
      DATABASE_URL: db.url,
      INTERNAL_AUTH_JWKS: JSON.stringify(keys.jwks),
      OUTBOX_RELAY_ENABLED: "false",
      DRAIN_DELAY_MS: "0",
      LOG_LEVEL: "warn",
    });
    gateway = await startService(["bun", "services/gateway/main.ts"], {
      DEV_ISSUER: "true",
      DATA_DIR: dir,
      ORDERS_URL: orders.url,
      INTERNAL_AUTH_PRIVATE_JWK: JSON.stringify(keys.privateJwk),
      DRAIN_DELAY_MS: "200",
    });
  }, 60_000);
  afterAll(async () => {
    await gateway?.stop("SIGKILL");
    await orders?.stop();
    await db?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  test("mint a user token with the CLI, create an order through the gateway, read it back", async () => {
    const cli = Bun.spawnSync(["bun", "scripts/user-token.ts", "--sub", "alice", "--scope", "orders:read orders:write"], {
      env: { ...process.env, DATA_DIR: dir },
    });
    expect(cli.exitCode).toBe(0);
    const token = cli.stdout.toString().trim();
    expect(token.split(".")).toHaveLength(3);
    const auth = { authorization: `Bearer ${token}` };

    const created = await fetch(`${gateway.url}/v1/orders`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json", "idempotency-key": crypto.randomUUID(), "x-request-id": "readme-1" },
      body: JSON.stringify({ currency: "EUR", items: [{ sku: "BOOK-42", quantity: 2, unitPriceCents: 1250 }] }),
    });
    expect(created.status).toBe(201);
    expect(created.headers.get("x-request-id")).toBe("readme-1");
    const order = await created.json();
    expect(order.customerId).toBe("alice");

    const read = await fetch(`${gateway.url}/v1/orders/${order.id}`, { headers: auth });
    expect(read.status).toBe(200);
    expect((await read.json()).totalCents).toBe(2500);
    expect((await fetch(`${gateway.url}/v1/orders/${order.id}`)).status).toBe(401);
  }, 20_000);

  test("serves the merged contract, the docs page and the dev JWKS", async () => {
    const doc = await (await fetch(`${gateway.url}/openapi.json`)).json();
    expect(doc.info.title).toBe("Platform API");
    expect(Object.keys(doc.paths)).toContain("/v1/orders/{id}");
    expect(Object.keys(doc.paths).some((p) => p.startsWith("/v1/models"))).toBe(false); // inference is not routed here
    expect(doc.components.securitySchemes.userToken.scheme).toBe("bearer");
    expect(await (await fetch(`${gateway.url}/docs`)).text()).toContain('data-url="/openapi.json"');
    const jwks = await (await fetch(`${gateway.url}/dev/jwks.json`)).json();
    expect(jwks.keys[0].kid).toBe("dev-issuer-1");
    expect(jwks.keys[0].d).toBeUndefined();
  });

  test("SIGTERM: readiness flips to 503, then a clean exit", async () => {
    gateway.proc.kill("SIGTERM");
    await Bun.sleep(80);
    expect((await fetch(`${gateway.url}/readyz`)).status).toBe(503);
    expect(await gateway.proc.exited).toBe(0);
    expect(gateway.output()).toContain('"msg":"shutdown complete"');
  });
});
