// The orders process as deployed: env validation at startup, graceful shutdown, and the compiled executable.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateDevKeyPair } from "../../lib/auth/dev-keys.ts";
import { createInternalTokenMinter } from "../../lib/auth/internal-token.ts";
import { createSql } from "../../lib/db/postgres.ts";
import { startService } from "../../lib/testing/service-process.ts";
import { createTempDatabase } from "../../lib/testing/temp-database.ts";
import { compile } from "../../scripts/build.ts";
import { sampleOrder } from "./testing/fixture.ts";

const keys = await generateDevKeyPair();
const mint = await createInternalTokenMinter(keys.privateJwk);
const token = () => mint({ audience: "orders", subject: "proc-test", scopes: ["orders:read", "orders:write"] });
const baseEnv = { INTERNAL_AUTH_JWKS: JSON.stringify(keys.jwks), LOG_LEVEL: "info" };

async function post(url: string, path: string, body?: unknown) {
  return fetch(`${url}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${await token()}`, "idempotency-key": crypto.randomUUID(), ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
}

describe("orders startup configuration", () => {
  test("missing and invalid variables stop startup with one message naming each", async () => {
    const proc = Bun.spawn(["bun", "services/orders/main.ts"], {
      env: { PATH: process.env.PATH ?? "", PORT: "not-a-port", DATABASE_URL: "mysql://nope", IDEMPOTENCY_TTL_SECONDS: "5" },
      stdout: "pipe",
      stderr: "pipe",
    });
    const [code, stderr] = await Promise.all([proc.exited, new Response(proc.stderr as ReadableStream).text()]);
    expect(code).toBe(1);
    expect(stderr).toContain("orders: invalid configuration (4 problems)");
    for (const name of ["PORT", "DATABASE_URL", "INTERNAL_AUTH_JWKS: required but not set", "IDEMPOTENCY_TTL_SECONDS"]) expect(stderr).toContain(name);
    expect(stderr).not.toContain("    at ");
  });

  test("a JWKS that is not JSON is named", async () => {
    const proc = Bun.spawn(["bun", "services/orders/main.ts"], { env: { PATH: process.env.PATH ?? "", INTERNAL_AUTH_JWKS: "{nope" }, stderr: "pipe" });
    const [code, stderr] = await Promise.all([proc.exited, new Response(proc.stderr as ReadableStream).text()]);
    expect(code).toBe(1);
    expect(stderr).toContain("INTERNAL_AUTH_JWKS: must be a JWKS");
  });
});

describe("orders graceful shutdown [postgres]", () => {
  let db: Awaited<ReturnType<typeof createTempDatabase>>;
  beforeAll(async () => {
    db = await createTempDatabase("orders_shutdown");
  });
  afterAll(async () => db?.drop());

  test("SIGTERM: readiness 503 during the drain, the in-flight request completes, exit 0", async () => {
    const svc = await startService(["bun", "services/orders/main.ts"], { ...baseEnv, DATABASE_URL: db.url, DRAIN_DELAY_MS: "800", SHUTDOWN_GRACE_MS: "10000" });
    const order = await (await post(svc.url, "/v1/orders", sampleOrder())).json();
    expect((await fetch(`${svc.url}/readyz`)).status).toBe(200);

    // Hold the order's row lock so the cancel request stays in flight across SIGTERM and the drain.
    const locker = createSql(db.url, { max: 1 });
    const tx = await locker.reserve();
    await tx`BEGIN`;
    await tx`SELECT 1 FROM orders WHERE id = ${order.id} FOR UPDATE`;
    const inFlight = post(svc.url, `/v1/orders/${order.id}/cancel`);
    await Bun.sleep(200);

    const t0 = performance.now();
    svc.proc.kill("SIGTERM");
    await Bun.sleep(300);
    const ready = await fetch(`${svc.url}/readyz`);
    expect(ready.status).toBe(503);
    expect((await ready.json()).status).toBe("draining");

    await Bun.sleep(1_000); // past the drain delay: the listener is stopping, waiting for our request
    await tx`COMMIT`;
    tx.release();
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect((await res.json()).status).toBe("cancelled");
    expect(await svc.proc.exited).toBe(0);
    expect(performance.now() - t0).toBeLessThan(10_000);
    expect(svc.output()).toContain('"msg":"shutdown complete"');
    await locker.end();
  }, 30_000);
});

describe("orders compiled executable [postgres]", () => {
  let dir: string;
  let db: Awaited<ReturnType<typeof createTempDatabase>>;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "orders-bin-"));
    db = await createTempDatabase("orders_binary");
    await compile("services/orders/main.ts", join(dir, "orders"), { withEmbeddedDatabase: true });
  }, 120_000);
  afterAll(async () => {
    await db?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  test("--version prints the version", () => {
    const out = Bun.spawnSync([join(dir, "orders"), "--version"], { cwd: dir });
    expect(out.exitCode).toBe(0);
    expect(out.stdout.toString()).toMatch(/^orders \d+\.\d+\.\d+\n$/);
  });

  test("starts alone in an empty folder against an empty database, migrates, serves POST /v1/orders", async () => {
    const svc = await startService([join(dir, "orders")], { ...baseEnv, DATABASE_URL: db.url, DRAIN_DELAY_MS: "0" }, { cwd: dir });
    try {
      expect(svc.output()).toContain('"migration":"0001_orders.sql"');
      const res = await post(svc.url, "/v1/orders", sampleOrder());
      expect(res.status).toBe(201);
      expect((await res.json()).totalCents).toBe(2699);
    } finally {
      expect(await svc.stop()).toBe(0);
    }
  }, 30_000);
});
