// Issue 12's guard: a plain production start evaluates no module it does not need (OpenTelemetry SDK, PGlite, NATS without NATS_URL).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateDevKeyPair } from "../../lib/auth/dev-keys.ts";
import { privateNatsServer } from "../../lib/testing/nats-server.ts";
import { startService } from "../../lib/testing/service-process.ts";
import { createTempDatabase } from "../../lib/testing/temp-database.ts";
import { generateDevIssuerKeys } from "../../services/gateway/dev-issuer/issuer.ts";

const ROOT = join(import.meta.dir, "../..");
const RECORDER = join(import.meta.dir, "record-loaded-modules.ts");

/** Packages a start must not evaluate unless its configuration asks for them (by the path of the loaded module). */
const LAZY = {
  /** Asked for by an OTEL_EXPORTER_OTLP_* endpoint. The API and the semantic conventions stay: instrumented code reads them. */
  tracingSdk: /\/node_modules\/@opentelemetry\/(?!api\/|semantic-conventions\/)/,
  /** Asked for by an unset DATABASE_URL (the embedded database). */
  pglite: /\/node_modules\/@electric-sql\//,
  /** Asked for by NATS_URL. */
  nats: /\/node_modules\/@nats-io\//,
  /** Asked for by an OpenAI model in INFERENCE_MODELS (the token counter's table, loaded before serving). */
  tokenizer: /\/node_modules\/gpt-tokenizer\//,
};
type Lazy = keyof typeof LAZY;

/** No tracing unless a case asks for it, whatever the environment running the tests says. */
const TRACING_OFF = { OTEL_EXPORTER_OTLP_ENDPOINT: "", OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "", OTEL_SDK_DISABLED: "" };

/**
 * Starts `services/<service>/main.ts` as production does (source, not compiled: the module graph is the same, and
 * each module is its own file here), waits for /readyz, stops it with SIGTERM and returns the modules it evaluated.
 */
async function modulesOfAStart(service: string, env: Record<string, string>): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), `lazy-${service}-`));
  const file = join(dir, "modules.txt");
  try {
    const svc = await startService(
      [process.execPath, "--preload", RECORDER, `services/${service}/main.ts`],
      { ...TRACING_OFF, LOG_LEVEL: "warn", DRAIN_DELAY_MS: "0", DATA_DIR: dir, ...env, LOADED_MODULES_FILE: file },
      { readyPath: "/readyz", cwd: ROOT, timeoutMs: 30_000 },
    );
    expect(await svc.stop()).toBe(0);
    return (await readFile(file, "utf8")).split("\n").filter(Boolean);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Per lazy group, the packages of it that were loaded (e.g. "@opentelemetry/sdk-trace-base"), so a failure is short. */
function loadedLazy(modules: string[]): Record<Lazy, string[]> {
  const packageOf = (m: string) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(m)?.[1] ?? m;
  const out = {} as Record<Lazy, string[]>;
  for (const [name, pattern] of Object.entries(LAZY) as [Lazy, RegExp][]) {
    out[name] = [...new Set(modules.filter((m) => pattern.test(m)).map(packageOf))].sort();
  }
  return out;
}

const ofOwn = (modules: string[], path: string) => modules.some((m) => m === join(ROOT, path));

describe("a plain start loads no module its configuration does not ask for [postgres, nats]", () => {
  let dbs: Record<"orders" | "ordersEmbedded" | "notifications", Awaited<ReturnType<typeof createTempDatabase>>>;
  let nats: Awaited<ReturnType<typeof privateNatsServer>>;
  let internalJwks: string;
  let internalPrivateJwk: string;
  let issuer: ReturnType<typeof Bun.serve>;
  beforeAll(async () => {
    // Each service its own database, as deployed; a NATS server of this file's own (the services create streams).
    const [orders, ordersEmbedded, notifications] = await Promise.all(["lazy_orders", "lazy_orders_emb", "lazy_notif"].map((p) => createTempDatabase(p)));
    dbs = { orders, ordersEmbedded, notifications } as typeof dbs;
    nats = await privateNatsServer();
    const keys = await generateDevKeyPair("lazy-modules");
    internalJwks = JSON.stringify(keys.jwks);
    internalPrivateJwk = JSON.stringify(keys.privateJwk);
    // The user-token issuer's JWKS, as a production gateway fetches it at start.
    const jwks = (await generateDevIssuerKeys()).jwks;
    issuer = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => Response.json(jwks) });
  });
  afterAll(async () => {
    await issuer?.stop(true);
    await nats?.dispose();
    await Promise.all(Object.values(dbs ?? {}).map((db) => db?.drop()));
  });

  const gatewayEnv = () => ({
    JWKS_URL: `http://127.0.0.1:${issuer.port}/jwks`,
    JWT_ISSUER: "https://id.example.com/",
    JWT_AUDIENCE: "api",
    INTERNAL_AUTH_PRIVATE_JWK: internalPrivateJwk,
    ORDERS_URL: "http://127.0.0.1:9",
  });

  test("orders on PostgreSQL and NATS: no tracing SDK, no PGlite (NATS is loaded: the probe sees lazy imports)", async () => {
    const modules = await modulesOfAStart("orders", { DATABASE_URL: dbs.orders.url, NATS_URL: nats.url, INTERNAL_AUTH_JWKS: internalJwks });
    const lazy = loadedLazy(modules);
    expect(lazy.tracingSdk).toEqual([]);
    expect(lazy.pglite).toEqual([]);
    // Controls: the NATS client came through a dynamic import, so the recording sees what lazy code loads.
    expect(lazy.nats.length).toBeGreaterThan(0);
    expect(ofOwn(modules, "services/orders/run.ts")).toBe(true);
    expect(ofOwn(modules, "lib/messaging/jetstream/transport.ts")).toBe(true);
  }, 60_000);

  test("orders on PostgreSQL without NATS_URL (embedded transport in the same database): no NATS client either", async () => {
    const lazy = loadedLazy(await modulesOfAStart("orders", { DATABASE_URL: dbs.ordersEmbedded.url, INTERNAL_AUTH_JWKS: internalJwks }));
    expect(lazy).toEqual({ tracingSdk: [], pglite: [], nats: [], tokenizer: [] });
  }, 60_000);

  test("notifications on PostgreSQL and NATS: no tracing SDK, no PGlite", async () => {
    const lazy = loadedLazy(
      await modulesOfAStart("notifications", { DATABASE_URL: dbs.notifications.url, NATS_URL: nats.url, INTERNAL_AUTH_JWKS: internalJwks }),
    );
    expect(lazy.tracingSdk).toEqual([]);
    expect(lazy.pglite).toEqual([]);
  }, 60_000);

  test("gateway with an OIDC issuer and in-memory rate limits: no tracing SDK, no PGlite, no NATS client", async () => {
    const lazy = loadedLazy(await modulesOfAStart("gateway", gatewayEnv()));
    expect(lazy).toEqual({ tracingSdk: [], pglite: [], nats: [], tokenizer: [] });
  }, 60_000);

  test("inference with a static registry: no tracing SDK, no PGlite, no NATS client", async () => {
    // Nothing listens at the backend: the first readiness round marks it unready and the service starts all the same.
    const models = { "lazy-model": { protocol: "oip-v2", backends: [{ url: "http://127.0.0.1:9" }] } };
    const modules = await modulesOfAStart("inference", { INTERNAL_AUTH_JWKS: internalJwks, INFERENCE_MODELS: JSON.stringify(models) });
    expect(loadedLazy(modules)).toEqual({ tracingSdk: [], pglite: [], nats: [], tokenizer: [] });
    expect(ofOwn(modules, "services/inference/run.ts")).toBe(true);
  }, 60_000);

  test("control: inference with an OpenAI model loads the token counter's table at its start", async () => {
    const models = { "lazy-chat": { protocol: "openai", backends: [{ url: "http://127.0.0.1:9" }] } };
    const modules = await modulesOfAStart("inference", { INTERNAL_AUTH_JWKS: internalJwks, INFERENCE_MODELS: JSON.stringify(models) });
    expect(loadedLazy(modules)).toEqual({ tracingSdk: [], pglite: [], nats: [], tokenizer: ["gpt-tokenizer"] });
  }, 60_000);

  test("control: with an OTLP endpoint the same gateway start loads the SDK, and the recording shows it", async () => {
    // Nothing listens there; spans are only exported on shutdown, and nothing is sampled before it.
    const modules = await modulesOfAStart("gateway", { ...gatewayEnv(), OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:9" });
    expect(loadedLazy(modules).tracingSdk).toEqual(expect.arrayContaining(["@opentelemetry/sdk-trace-base", "@opentelemetry/exporter-trace-otlp-proto"]));
    expect(ofOwn(modules, "lib/telemetry/install-tracing.ts")).toBe(true);
  }, 60_000);
});
