// Checks the Kubernetes manifests parse and keep the platform's rules: three probes, a grace period longer than the app's, non-root.
import { expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const dir = join(import.meta.dir, "k8s");
// biome-ignore lint/suspicious/noExplicitAny: parsed YAML is checked field by field below
type Doc = { kind: string; metadata: { name: string }; spec: Record<string, any> };
const docs: Doc[] = readdirSync(dir)
  .filter((f) => f.endsWith(".yaml"))
  .flatMap((f) =>
    readFileSync(join(dir, f), "utf8")
      .split(/^---$/m)
      .map((text) => Bun.YAML.parse(text) as Doc),
  );

const deployments = docs.filter((d) => d.kind === "Deployment");

test("every manifest parses and names its kind", () => {
  expect(docs.length).toBeGreaterThan(0);
  for (const d of docs) expect(d.kind).toBeString();
});

test("every service Deployment has startup, liveness and readiness probes on the fixed paths", () => {
  expect(deployments.map((d) => d.metadata.name).sort()).toEqual(["gateway", "notifications", "orders"]);
  for (const d of deployments) {
    const c = d.spec.template.spec.containers[0];
    expect([c.startupProbe.httpGet.path, c.livenessProbe.httpGet.path, c.readinessProbe.httpGet.path]).toEqual(["/startupz", "/healthz", "/readyz"]);
  }
});

test("the pod grace period outlasts drain delay + shutdown grace, so the process exits on its own", () => {
  for (const d of deployments) {
    const pod = d.spec.template.spec;
    const env = Object.fromEntries(pod.containers[0].env.map((e: { name: string; value?: string }) => [e.name, e.value]));
    expect(pod.terminationGracePeriodSeconds * 1000).toBeGreaterThan(Number(env.DRAIN_DELAY_MS) + Number(env.SHUTDOWN_GRACE_MS));
  }
});

test("pods run as non-root with a read-only root filesystem, and each service has a disruption budget", () => {
  for (const d of deployments) {
    expect(d.spec.template.spec.securityContext.runAsNonRoot).toBe(true);
    expect(d.spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem).toBe(true);
    expect(docs.some((p) => p.kind === "PodDisruptionBudget" && p.metadata.name === d.metadata.name)).toBe(true);
  }
});

test("every service Deployment asks to be scraped at /metrics on the port its container listens on", () => {
  for (const d of deployments) {
    const annotations = d.spec.template.metadata.annotations ?? {};
    const ports = d.spec.template.spec.containers[0].ports.map((p: { containerPort: number }) => String(p.containerPort));
    expect(annotations["prometheus.io/scrape"]).toBe("true");
    expect(annotations["prometheus.io/path"]).toBe("/metrics");
    expect(ports).toContain(annotations["prometheus.io/port"]);
  }
});
