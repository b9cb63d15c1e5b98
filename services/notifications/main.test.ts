// The notifications process as deployed: env validation at startup and the compiled executable (graceful shutdown: shutdown.test.ts).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateDevKeyPair } from "../../lib/auth/dev-keys.ts";
import { createInternalTokenMinter } from "../../lib/auth/internal-token.ts";
import { startService } from "../../lib/testing/service-process.ts";
import { compile } from "../../scripts/build.ts";
import { orderPlaced } from "./testing/events.ts";
import { type ProcessBroker, startProcessBroker } from "./testing/process-broker.ts";
import { eventually } from "./testing/worker-harness.ts";

const keys = await generateDevKeyPair();
const mint = await createInternalTokenMinter(keys.privateJwk);
const baseEnv = { INTERNAL_AUTH_JWKS: JSON.stringify(keys.jwks), LOG_LEVEL: "info" };

describe("notifications startup configuration", () => {
  test("missing and invalid variables stop startup with one message naming each", async () => {
    const proc = Bun.spawn(["bun", "services/notifications/main.ts"], {
      env: { PATH: process.env.PATH ?? "", NOTIFY_CHANNEL: "webhook", CONSUMER_BATCH: "0", RETRY_BASE_MS: "9000", RETRY_MAX_MS: "100" },
      stdout: "pipe",
      stderr: "pipe",
    });
    const [code, stderr] = await Promise.all([proc.exited, new Response(proc.stderr as ReadableStream).text()]);
    expect(code).toBe(1);
    expect(stderr).toContain("notifications: invalid configuration (4 problems)");
    for (const name of [
      "INTERNAL_AUTH_JWKS: required but not set",
      "CONSUMER_BATCH",
      "NOTIFY_WEBHOOK_URL: required when NOTIFY_CHANNEL=webhook",
      "RETRY_BASE_MS",
    ]) {
      expect(stderr).toContain(name);
    }
    expect(stderr).not.toContain("    at ");
  });
});

describe("notifications compiled executable [postgres, embedded transport]", () => {
  let dir: string;
  let db: ProcessBroker;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "notifications-bin-"));
    db = await startProcessBroker("embedded", "notif_binary");
    await compile("services/notifications/main.ts", join(dir, "notifications"), { withEmbeddedDatabase: true });
  }, 120_000);
  afterAll(async () => {
    await db?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test("--version prints the version", () => {
    const out = Bun.spawnSync([join(dir, "notifications"), "--version"], { cwd: dir });
    expect(out.exitCode).toBe(0);
    expect(out.stdout.toString()).toMatch(/^notifications \d+\.\d+\.\d+\n$/);
  });

  test("starts alone in an empty folder, migrates, consumes an event and serves it on GET /v1/notifications", async () => {
    const svc = await startService([join(dir, "notifications")], { ...baseEnv, ...db.env, DRAIN_DELAY_MS: "0" }, { cwd: dir });
    try {
      expect(svc.output()).toContain('"migration":"0001_notifications.sql"');
      const e = orderPlaced("binary-customer");
      await db.publish([e]);
      const token = await mint({ audience: "notifications", subject: "binary-customer", scopes: ["notifications:read"] });
      let items: { eventId: string }[] = [];
      await eventually(
        async () => {
          items = (await (await fetch(`${svc.url}/v1/notifications`, { headers: { authorization: `Bearer ${token}` } })).json()).items;
          return items.length === 1;
        },
        10_000,
        "notification listed",
      );
      expect(items[0]?.eventId).toBe(e.id);
      expect(svc.output()).toContain('"msg":"notification"'); // the log channel (the default)
      expect((await fetch(`${svc.url}/readyz`)).status).toBe(200);
    } finally {
      expect(await svc.stop()).toBe(0);
    }
  }, 30_000);
});
