// Every service image, run as deployed with podman + runc: uid 65532, read-only root, no shell, probes against real PostgreSQL and NATS, SIGTERM → 0.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateDevKeyPair } from "../../lib/auth/dev-keys.ts";
import { createInternalTokenMinter } from "../../lib/auth/internal-token.ts";
import { freePort } from "../../lib/testing/service-process.ts";
import { createTempDatabase } from "../../lib/testing/temp-database.ts";
import { VERSION } from "../../lib/version.ts";
import { type BuiltImage, buildNamedImage } from "./build.ts";
import { inspectOciArchive } from "./oci-archive.ts";
import { createPodman, missingOciTools, type Podman } from "./podman.ts";
import { IMAGE_CONFIG, readRootfsList } from "./rootfs.ts";

const NATS_URL = process.env.TEST_NATS_URL || "nats://127.0.0.1:4222";
const SERVICES = ["gateway", "orders", "notifications", "inference"] as const;
const GRACE_SECONDS = 10;

let outDir: string;
let podman: Podman;
const images = new Map<string, BuiltImage>();
const databases: { drop(): Promise<void> }[] = [];
let jwksServer: ReturnType<typeof Bun.serve> | undefined;
/** A model server on the host for the inference image (OIP v2 readiness and infer: the input echoed). */
let modelServer: ReturnType<typeof Bun.serve> | undefined;
const keys = await generateDevKeyPair("image-test-1");

beforeAll(async () => {
  // Missing tools fail the suite (never a skip): npm test installs them through scripts/ci/ensure-oci.sh.
  const missing = missingOciTools();
  if (missing) throw new Error(missing);
  outDir = await mkdtemp(join(tmpdir(), "image-test-"));
  podman = await createPodman();
  for (const name of SERVICES) {
    const image = await buildNamedImage(name, { outDir });
    images.set(name, image);
    await podman("load", "--quiet", "--input", image.archive);
  }
}, 240_000);

afterAll(async () => {
  await podman?.destroy();
  for (const db of databases) await db.drop();
  await jwksServer?.stop(true);
  await modelServer?.stop(true);
  if (outDir) await rm(outDir, { recursive: true, force: true });
}, 60_000);

/** The environment each service needs to become ready against the real PostgreSQL and NATS. */
async function serviceEnv(name: (typeof SERVICES)[number]): Promise<Record<string, string>> {
  const jwks = JSON.stringify(keys.jwks);
  if (name === "gateway") {
    jwksServer ??= Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => Response.json({ keys: [] }) });
    return {
      JWKS_URL: `http://127.0.0.1:${jwksServer.port}/jwks.json`,
      JWT_ISSUER: "https://issuer.test/",
      JWT_AUDIENCE: "bun-platform",
      INTERNAL_AUTH_PRIVATE_JWK: JSON.stringify(keys.privateJwk),
      ORDERS_URL: "http://127.0.0.1:9",
      RATE_LIMIT_STORE: "nats",
      NATS_URL,
    };
  }
  if (name === "inference") {
    modelServer ??= Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      fetch: async (req) => {
        const path = new URL(req.url).pathname;
        if (path === "/v2/health/ready") return new Response(null, { status: 200 });
        if (path !== "/v2/models/echo/infer") return Response.json({ error: `no route ${path}` }, { status: 404 });
        const body = (await req.json()) as { id?: string; inputs: unknown[] };
        return Response.json({ model_name: "echo", id: body.id, outputs: body.inputs });
      },
    });
    const models = { echo: { protocol: "oip-v2", backends: [{ url: `http://127.0.0.1:${modelServer.port}` }] } };
    return { INTERNAL_AUTH_JWKS: jwks, INFERENCE_MODELS: JSON.stringify(models) };
  }
  const db = await createTempDatabase(`image_${name}`);
  databases.push(db);
  return { DATABASE_URL: db.url, NATS_URL, INTERNAL_AUTH_JWKS: jwks };
}

async function waitFor(url: string, deadlineMs: number): Promise<Response> {
  for (;;) {
    const res = await fetch(url).catch(() => undefined);
    if (res?.status === 200 || Date.now() > deadlineMs) return res ?? new Response(null, { status: 599 });
    await Bun.sleep(100);
  }
}

const envArgs = (env: Record<string, string>) => Object.entries(env).flatMap(([k, v]) => ["--env", `${k}=${v}`]);

for (const name of SERVICES) {
  describe(`${name} image`, () => {
    const ref = () => (images.get(name) as BuiltImage).reference;

    test("holds exactly rootfs.txt's files and /app (no shell), runs /app as 65532:65532", async () => {
      const image = await inspectOciArchive((images.get(name) as BuiltImage).archive);
      const entries = image.layers.flatMap((l) => l.entries);
      const listed = (await readRootfsList()).map((e) => e.path.slice(1));
      const parents = new Set(
        listed.flatMap((p) =>
          p
            .split("/")
            .slice(0, -1)
            .map((_, i, parts) => parts.slice(0, i + 1).join("/")),
        ),
      );
      expect(entries.map((e) => e.path).sort()).toEqual([...new Set([...listed, ...parents, "app"])].sort());
      expect(entries.some((e) => /(^|\/)(sh|bash|busybox)$/.test(e.path))).toBe(false);
      expect((entries.find((e) => e.path === "tmp")?.mode ?? 0) & 0o7777).toBe(0o1777);
      expect(image.config.config?.User).toBe(IMAGE_CONFIG.user);
      expect(image.config.config?.Entrypoint).toEqual(IMAGE_CONFIG.entrypoint);
      // No PGlite in a production image: its 9 MB WASM would show up in the executable's size, and its name in it.
      const app = entries.find((e) => e.path === "app");
      expect(Buffer.from(app?.data ?? []).includes("pglite.wasm")).toBe(false);
    });

    test("--version prints the version; a shell cannot be started in it", async () => {
      expect(await podman("run", "--rm", "--network=host", ref(), "--version")).toBe(`${name} ${VERSION}`);
      const sh = await podman.try("run", "--rm", "--network=host", "--entrypoint", "/bin/sh", ref(), "-c", "true");
      expect(sh.code).not.toBe(0);
      expect(sh.out).toContain("/bin/sh");
    });

    test("read-only root, uid 65532: /healthz and /readyz answer 200; podman stop (SIGTERM) → exit 0 within the grace period", async () => {
      const port = await freePort();
      const env = { ...(await serviceEnv(name)), PORT: String(port), DRAIN_DELAY_MS: "300", SHUTDOWN_GRACE_MS: "5000", LOG_LEVEL: "warn" };
      const id = await podman(
        "run",
        "--detach",
        "--name",
        `image-test-${name}-${port}`,
        // Host network: the test's PostgreSQL and NATS listen on loopback, and no bridge networking is set up here.
        "--network=host",
        "--read-only",
        "--user",
        "65532:65532",
        ...envArgs(env),
        ref(),
      );
      try {
        const deadline = Date.now() + 30_000;
        const health = await waitFor(`http://127.0.0.1:${port}/healthz`, deadline);
        const ready = await waitFor(`http://127.0.0.1:${port}/readyz`, deadline);
        const logs = (await podman.try("logs", id)).out;
        expect({ health: health.status, ready: ready.status, logs: health.status === 200 && ready.status === 200 ? "" : logs }).toEqual({
          health: 200,
          ready: 200,
          logs: "",
        });

        if (name === "inference") {
          // A model call through the image: the internal token checked, the registry's backend on the host called.
          const token = await (await createInternalTokenMinter(keys.privateJwk))({
            audience: "inference",
            subject: "image-test",
            scopes: ["inference:invoke"],
            ttlSeconds: 60,
          });
          const inputs = [{ name: "text", shape: [1], datatype: "BYTES", data: ["hello"] }];
          const res = await fetch(`http://127.0.0.1:${port}/v1/models/echo/infer`, {
            method: "POST",
            headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
            body: JSON.stringify({ id: "image-1", inputs }),
          });
          expect({ status: res.status, body: await res.json() }).toEqual({ status: 200, body: { model_name: "echo", id: "image-1", outputs: inputs } });
        }

        expect(await podman("inspect", "--format", "{{.HostConfig.ReadonlyRootfs}}", id)).toBe("true");
        const pid = await podman("inspect", "--format", "{{.State.Pid}}", id);
        const status = await readFile(`/proc/${pid}/status`, "utf8");
        expect(/^Uid:\s+(\d+)/m.exec(status)?.[1]).toBe("65532");
        expect(/^Gid:\s+(\d+)/m.exec(status)?.[1]).toBe("65532");

        const started = performance.now();
        await podman("stop", "--time", String(GRACE_SECONDS), id);
        const seconds = (performance.now() - started) / 1000;
        expect(await podman("inspect", "--format", "{{.State.ExitCode}}", id)).toBe("0");
        expect(seconds).toBeLessThan(GRACE_SECONDS);
      } finally {
        await podman.try("rm", "--force", "--time", "0", id);
      }
    }, 60_000);
  });
}

test("a production image refuses to start without DATABASE_URL, saying why", async () => {
  const { code, out } = await podman.try(
    "run",
    "--rm",
    "--network=host",
    "--read-only",
    "--env",
    `INTERNAL_AUTH_JWKS=${JSON.stringify(keys.jwks)}`,
    images.get("orders")?.reference ?? "",
  );
  expect(code).toBe(1);
  expect(out).toContain("DATABASE_URL is required: this executable was built without the embedded database");
}, 30_000);
