// Checks compose.yaml against what it wires together (no Docker here): scrape targets, mounted files, trace endpoint, pinned images, env schemas.
import { expect, test } from "bun:test";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateDevKeyPair } from "../lib/auth/dev-keys.ts";
import { promtoolCheckConfig } from "../lib/testing/promtool.ts";
import { devInferenceModels } from "../scripts/dev-models.ts";
import { gatewayEnv } from "../services/gateway/config.ts";
import { inferenceEnv } from "../services/inference/config.ts";
import { notificationsEnv } from "../services/notifications/config.ts";
import { ordersEnv } from "../services/orders/config.ts";

const root = join(import.meta.dir, "..");
interface Service {
  image?: string;
  build?: { args?: { SERVICE?: string } };
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
  depends_on?: Record<string, unknown>;
}
const compose = Bun.YAML.parse(readFileSync(join(root, "compose.yaml"), "utf8")) as { services: Record<string, Service>; volumes?: Record<string, unknown> };
const services = compose.services;
const appServices = Object.entries(services).filter(([, s]) => s.build?.args?.SERVICE);
type EnvSchema = { safeParse: (env: unknown) => { success: boolean; data?: { PORT: number }; error?: unknown } };
const schemas: Record<string, EnvSchema> = { gateway: gatewayEnv, orders: ordersEnv, notifications: notificationsEnv, inference: inferenceEnv };

/** The container ports a service publishes ("127.0.0.1:8081:8081" → 8081). */
const containerPorts = (s: Service) => (s.ports ?? []).map((p) => Number(p.split(":").at(-1)));

/** Where a path inside a service's container comes from on this machine, through its bind mounts. */
function hostPath(service: string, containerPath: string): string | undefined {
  for (const v of services[service]?.volumes ?? []) {
    const [src = "", dst = ""] = v.split(":");
    if (!src.startsWith("./")) continue;
    if (containerPath === dst || containerPath.startsWith(`${dst}/`)) return join(root, src, containerPath.slice(dst.length));
  }
  return undefined;
}

test("every bind mount names a file or folder in the repository, every named volume is declared", () => {
  for (const [name, s] of Object.entries(services)) {
    for (const v of s.volumes ?? []) {
      const src = v.split(":")[0] as string;
      if (src.startsWith("./")) expect([name, src, existsSync(join(root, src))]).toEqual([name, src, true]);
      else expect(Object.keys(compose.volumes ?? {})).toContain(src);
    }
    for (const dep of Object.keys(s.depends_on ?? {})) expect(Object.keys(services)).toContain(dep);
  }
});

test("every image is pinned to a version tag", () => {
  for (const [name, s] of Object.entries(services)) {
    if (!s.image) continue;
    expect([name, s.image]).toEqual([name, expect.stringMatching(/^[\w./-]+:v?\d[\w.-]*$/)]);
  }
});

test("the services' compose environment passes their env schemas, and they listen on the ports compose publishes", async () => {
  const keys = await generateDevKeyPair("compose-test");
  const vars: Record<string, string> = { INTERNAL_AUTH_JWKS: JSON.stringify(keys.jwks), INTERNAL_AUTH_PRIVATE_JWK: JSON.stringify(keys.privateJwk) };
  expect(appServices.map(([n]) => n).sort()).toEqual(["gateway", "inference", "notifications", "orders"]);
  for (const [name, s] of appServices) {
    // Compose interpolation: ${NAME:?message} takes the value from the shell.
    const env = Object.fromEntries(
      Object.entries(s.environment ?? {}).map(([k, v]) => [k, String(v).replace(/\$\{(\w+)(:\?[^}]*)?\}/g, (_, n) => vars[n] ?? "")]),
    );
    const schema = schemas[name];
    if (!schema) throw new Error(`no env schema for the compose service ${name}`);
    const parsed = schema.safeParse(env);
    expect([name, parsed.success, parsed.error]).toEqual([name, true, undefined]);
    expect(containerPorts(s)).toEqual([parsed.data?.PORT ?? -1]);
  }
});

test("inference fronts the development model server: the models npm start registers, at the port it listens on, not published", () => {
  const server = services["model-server"] as Service & { build?: { dockerfile?: string } };
  expect(existsSync(join(root, server.build?.dockerfile ?? "missing"))).toBe(true);
  // The model server binds 127.0.0.1 unless told otherwise; in a container it must listen on the compose network.
  expect(server.environment?.HOST).toBe("0.0.0.0");
  const url = `http://model-server:${server.environment?.PORT}`;
  expect(JSON.parse(services.inference?.environment?.INFERENCE_MODELS ?? "{}")).toEqual(devInferenceModels(url));
  expect(server.ports ?? []).toEqual([]); // no auth and a fault-injection API: reachable from inference only
  expect(Object.keys(services.inference?.depends_on ?? {})).toContain("model-server");
  expect(services.gateway?.environment?.INFERENCE_URL).toBe(`http://inference:${containerPorts(services.inference ?? {})[0]}`);
});

test("services send traces to the trace backend's OTLP/HTTP port, at 100% locally", () => {
  for (const [name, s] of appServices) {
    const url = new URL(s.environment?.OTEL_EXPORTER_OTLP_ENDPOINT ?? "missing:");
    expect([name, url.hostname in services, url.port]).toEqual([name, true, "4318"]);
    expect(s.environment?.OTEL_TRACES_SAMPLER_ARG).toBe("1");
  }
});

const prometheusConfigPath = hostPath("prometheus", "/etc/prometheus/prometheus.yml") as string;
const promConfig = Bun.YAML.parse(readFileSync(prometheusConfigPath ?? "", "utf8")) as {
  rule_files: string[];
  scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
};

test("Prometheus scrapes every service, by its compose name and port, as a job named after it", () => {
  expect(prometheusConfigPath).toBe(join(root, "deploy/prometheus/prometheus.yml"));
  const scraped = promConfig.scrape_configs.map((c) => [c.job_name, c.static_configs.flatMap((sc) => sc.targets)]);
  const expected = appServices.map(([n, s]) => [n, containerPorts(s).map((p) => `${n}:${p}`)]);
  expect(scraped.sort()).toEqual(expected.sort());
});

test("Prometheus loads every rule file through its mount, and promtool accepts the config with them", async () => {
  const globs = promConfig.rule_files.map((g) => hostPath("prometheus", g) as string);
  const loaded = globs.flatMap((g) =>
    [...new Bun.Glob(g.slice(g.lastIndexOf("/") + 1)).scanSync(g.slice(0, g.lastIndexOf("/")))].map((f) => join(g.slice(0, g.lastIndexOf("/")), f)),
  );
  const ruleDir = join(root, "deploy/prometheus/rules");
  expect(loaded.sort()).toEqual(
    readdirSync(ruleDir)
      .map((f) => join(ruleDir, f))
      .sort(),
  );
  // The same config with the container paths replaced by this machine's.
  const dir = mkdtempSync(join(tmpdir(), "prometheus-"));
  try {
    writeFileSync(join(dir, "prometheus.yml"), Bun.YAML.stringify({ ...promConfig, rule_files: globs }));
    const r = await promtoolCheckConfig(join(dir, "prometheus.yml"));
    if (!r.ok) console.error(r.output);
    expect(r.ok).toBe(true);
    expect(r.output.match(/rules found/g)?.length).toBe(loaded.length);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("Grafana gets its data sources and the dashboards folder through its mounts, and they point at compose services", () => {
  const provisioning = hostPath("grafana", "/etc/grafana/provisioning") as string;
  expect(provisioning).toBe(join(root, "deploy/grafana/provisioning"));
  const providers = Bun.YAML.parse(readFileSync(join(provisioning, "dashboards/dashboards.yml"), "utf8")) as { providers: { options: { path: string } }[] };
  for (const p of providers.providers) {
    const dir = hostPath("grafana", p.options.path) as string;
    expect(readdirSync(dir).filter((f) => f.endsWith(".json")).length).toBeGreaterThan(0);
  }
  const home = services.grafana?.environment?.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH;
  if (home) expect(existsSync(hostPath("grafana", home) as string)).toBe(true);
  const sources = Bun.YAML.parse(readFileSync(join(provisioning, "datasources/datasources.yml"), "utf8")) as { datasources: { url: string }[] };
  for (const d of sources.datasources) {
    const url = new URL(d.url);
    expect([d.url, containerPorts(services[url.hostname] ?? {})]).toEqual([d.url, expect.arrayContaining([Number(url.port)])]);
  }
});
