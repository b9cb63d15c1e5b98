// The Kubernetes manifests as kustomize renders them: schema-valid, within the platform's policies, and what each overlay promises.
import { beforeAll, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { checkObjects, formatFinding, K8S, KUSTOMIZATIONS, parseYamlStream, render } from "../scripts/deploy/check.ts";
import { GENERATED, renderPrometheusRules } from "../scripts/deploy/prometheus-rules.ts";
import { type K8sObject, schemaFindings } from "../scripts/deploy/schema-check.ts";

const SERVICES = ["gateway", "inference", "notifications", "orders"];
const rendered = new Map<string, K8sObject[]>();
beforeAll(async () => {
  for (const k of KUSTOMIZATIONS) rendered.set(k, await render(join(K8S, k)));
}, 60_000);

const objects = (k: string) => rendered.get(k) ?? [];
const find = (k: string, kind: string, name: string) => objects(k).find((o) => o.kind === kind && o.metadata?.name === name);
const container = (d: K8sObject | undefined) => d?.spec.template.spec.containers[0];
const envOf = (d: K8sObject | undefined) => Object.fromEntries((container(d)?.env ?? []).map((e: { name: string; value?: string }) => [e.name, e.value ?? e]));

test.each(KUSTOMIZATIONS)("%s renders, every object passes its schema and the platform's policies", async (k) => {
  expect(objects(k).length).toBeGreaterThan(20);
  expect((await checkObjects(objects(k))).map((f) => formatFinding(k, f))).toEqual([]);
});

describe("every service Deployment (both overlays)", () => {
  test.each(["overlays/dev", "overlays/prod"])("%s: probes on the fixed paths, grace period outlasting drain + shutdown, hardened pod", (k) => {
    const deployments = objects(k).filter((o) => o.kind === "Deployment");
    expect(deployments.map((d) => d.metadata?.name).sort()).toEqual(SERVICES);
    for (const d of deployments) {
      const c = container(d);
      const pod = d.spec.template.spec;
      expect([c.startupProbe.httpGet.path, c.livenessProbe.httpGet.path, c.readinessProbe.httpGet.path]).toEqual(["/startupz", "/healthz", "/readyz"]);
      const env = envOf(d);
      expect(pod.terminationGracePeriodSeconds * 1000).toBeGreaterThan(Number(env.DRAIN_DELAY_MS) + Number(env.SHUTDOWN_GRACE_MS));
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: "RuntimeDefault" } });
      expect(c.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
      expect(c.image).toMatch(new RegExp(`/${d.metadata?.name}:\\d+\\.\\d+\\.\\d+$`));
    }
  });
});

describe("prod overlay", () => {
  test("three replicas, an autoscaler and a disruption budget per service", () => {
    for (const s of SERVICES) {
      expect(find("overlays/prod", "Deployment", s)?.spec.replicas).toBe(3);
      expect(find("overlays/prod", "HorizontalPodAutoscaler", s)?.spec).toMatchObject({ minReplicas: 3, scaleTargetRef: { kind: "Deployment", name: s } });
      expect(find("overlays/prod", "PodDisruptionBudget", s)?.spec.maxUnavailable).toBe(1);
    }
  });

  test("streams and the rate-limit bucket are replicated three times on a three-node JetStream cluster", () => {
    for (const s of ["gateway", "orders", "notifications"]) expect(envOf(find("overlays/prod", "Deployment", s)).NATS_STREAM_REPLICAS).toBe("3");
    for (const s of ["gateway", "orders", "notifications"]) expect(envOf(find("overlays/dev", "Deployment", s)).NATS_STREAM_REPLICAS).toBe("1");
    const nats = find("overlays/prod", "StatefulSet", "nats");
    expect(nats?.spec.replicas).toBe(3);
    expect(container(nats).image).toMatch(/^nats:2\.12\.\d+-alpine$/);
    expect(nats?.spec.volumeClaimTemplates[0].metadata.name).toBe("data");
    const conf: string = find("overlays/prod", "ConfigMap", "nats-config")?.data["nats.conf"];
    expect(conf).toMatch(/^\s*sync_interval: always$/m);
    expect(conf.match(/nats:\/\/nats-\d\.nats-cluster:6222/g)).toHaveLength(3);
  });

  test("each database is a CloudNativePG cluster of three instances whose app secret its service reads", () => {
    for (const s of ["orders", "notifications"]) {
      expect(find("overlays/prod", "Cluster", `${s}-db`)?.spec).toMatchObject({ instances: 3, bootstrap: { initdb: { database: s, owner: s } } });
      expect(envOf(find("overlays/prod", "Deployment", s)).DATABASE_URL).toEqual({
        name: "DATABASE_URL",
        valueFrom: { secretKeyRef: { name: `${s}-db-app`, key: "uri" } },
      });
    }
  });

  test("inference listens on 8083 with its model registry and no database", () => {
    const env = envOf(find("overlays/prod", "Deployment", "inference"));
    expect(container(find("overlays/prod", "Deployment", "inference")).ports[0].containerPort).toBe(8083);
    expect(env.PORT).toBe("8083");
    expect(env.INFERENCE_MODELS).toMatchObject({ valueFrom: { configMapKeyRef: { name: "inference-models" } } });
    expect(env.DATABASE_URL).toBeUndefined();
    expect(envOf(find("overlays/prod", "Deployment", "gateway")).INFERENCE_URL).toBe("http://inference");
  });
});

test("network: ingress denied by default; only the gateway is open; services admit the gateway; databases and NATS their clients", () => {
  const policies = objects("overlays/prod").filter((o) => o.kind === "NetworkPolicy");
  const policy = (name: string) => policies.find((p) => p.metadata?.name === name)?.spec;
  expect(policy("default-deny-ingress")).toEqual({ podSelector: {}, policyTypes: ["Ingress"] });
  const open = policies.filter((p) => (p.spec.ingress ?? []).some((r: { from?: unknown[] }) => !r.from));
  expect(open.map((p) => p.metadata?.name)).toEqual(["gateway"]);
  const podSources = (name: string) =>
    (policy(name)?.ingress ?? []).flatMap((r: { from?: { podSelector?: { matchLabels?: Record<string, string> } }[] }) =>
      (r.from ?? []).flatMap((f) => Object.values(f.podSelector?.matchLabels ?? {})),
    );
  for (const s of ["orders", "notifications", "inference"]) expect(podSources(s)).toEqual(["gateway"]);
  expect(podSources("orders-db")).toEqual(["orders", "orders-db"]);
  expect(podSources("notifications-db")).toEqual(["notifications", "notifications-db"]);
  const natsClients = policy("nats")?.ingress[0].from[0].podSelector.matchExpressions[0].values;
  expect(natsClients).toEqual(["gateway", "orders", "notifications"]);
});

test("Prometheus Operator: every service is scraped at /metrics with job = its name, and the PrometheusRules are the checked-in rules", async () => {
  const prod = objects("overlays/prod");
  const monitor = prod.find((o) => o.kind === "ServiceMonitor");
  expect(monitor?.spec).toMatchObject({ jobLabel: "app.kubernetes.io/name", endpoints: [{ port: "http", path: "/metrics" }] });
  for (const s of SERVICES) {
    const svc = prod.find((o) => o.kind === "Service" && o.metadata?.name === s);
    expect(svc?.metadata?.labels).toMatchObject(monitor?.spec.selector.matchLabels);
    expect(svc?.spec.ports.map((p: { name: string }) => p.name)).toContain("http");
  }
  expect(readFileSync(GENERATED, "utf8")).toBe(await renderPrometheusRules());
  const ruleFiles = readdirSync(join(K8S, "../prometheus/rules")).filter((f) => f.endsWith(".yml"));
  const groups = ruleFiles.flatMap((f) =>
    (Bun.YAML.parse(readFileSync(join(K8S, "../prometheus/rules", f), "utf8")) as { groups: { name: string }[] }).groups.map((g) => g.name),
  );
  const deployed = prod.filter((o) => o.kind === "PrometheusRule").flatMap((r) => r.spec.groups.map((g: { name: string }) => g.name));
  expect(deployed.sort()).toEqual(groups.sort());
});

test("an Argo CD Application per overlay, each valid and pointing at its overlay", async () => {
  for (const o of ["dev", "prod"]) {
    const [app] = parseYamlStream(readFileSync(join(K8S, "argocd", `${o}.yaml`), "utf8"));
    expect(await schemaFindings(app as K8sObject)).toEqual([]);
    expect(app?.spec.source.path).toBe(`deploy/k8s/overlays/${o}`);
  }
});

describe("a broken manifest fails with the object and the field named", () => {
  const broken = () => structuredClone(objects("overlays/prod"));

  test("schema errors: a string where the API wants an integer, a port of the wrong type, a typo in a CloudNativePG cluster", async () => {
    const objs = broken();
    const orders = objs.find((o) => o.kind === "Deployment" && o.metadata?.name === "orders") as K8sObject;
    orders.spec.replicas = "three";
    orders.spec.template.spec.containers[0].ports[0].containerPort = "http";
    const db = objs.find((o) => o.kind === "Cluster" && o.metadata?.name === "orders-db") as K8sObject;
    db.spec.instance = db.spec.instances;
    delete db.spec.instances;
    const messages = (await checkObjects(objs)).map((f) => formatFinding("overlays/prod", f));
    expect(messages).toContain("overlays/prod: Deployment/orders: spec.replicas: must be integer");
    expect(messages).toContain("overlays/prod: Deployment/orders: spec.template.spec.containers[0].ports[0].containerPort: must be integer");
    expect(messages).toContain("overlays/prod: Cluster/orders-db: spec.instance: unknown field");
    expect(messages).toContain("overlays/prod: Cluster/orders-db: spec.instances: must have required property 'instances'");
  });

  test("policy errors: latest tag, a missing probe, no limits, a short grace period, a writable root, an open service", async () => {
    const objs = broken();
    const notifications = objs.find((o) => o.kind === "Deployment" && o.metadata?.name === "notifications") as K8sObject;
    const c = notifications.spec.template.spec.containers[0];
    c.image = "ghcr.io/example/bun-platform/notifications:latest";
    delete c.readinessProbe;
    delete c.resources.limits;
    c.securityContext.readOnlyRootFilesystem = false;
    notifications.spec.template.spec.terminationGracePeriodSeconds = 20;
    const policy = objs.find((o) => o.kind === "NetworkPolicy" && o.metadata?.name === "orders") as K8sObject;
    delete policy.spec.ingress[0].from;
    const messages = (await checkObjects(objs)).map((f) => formatFinding("overlays/prod", f));
    const at = "overlays/prod: Deployment/notifications: spec.template.spec";
    expect(messages).toContain(`${at}.containers[0].image: "ghcr.io/example/bun-platform/notifications:latest" must name a version tag or digest, not latest`);
    expect(messages).toContain(`${at}.containers[0].readinessProbe.httpGet.path: must be /readyz (found no probe)`);
    expect(messages).toContain(`${at}.containers[0].resources.limits.memory: must be set`);
    expect(messages).toContain(`${at}.containers[0].securityContext.readOnlyRootFilesystem: must be true`);
    expect(messages).toContain(`${at}.terminationGracePeriodSeconds: 20 s must outlast DRAIN_DELAY_MS + SHUTDOWN_GRACE_MS (30000 ms)`);
    expect(messages).toContain(
      "overlays/prod: NetworkPolicy/orders: spec.ingress[0].from: admits every source: only the gateway may take traffic from anywhere",
    );
  });

  test("strict mode: a misspelled optional field on a Deployment, its container, a Service and a ServiceMonitor is an unknown field", async () => {
    const objs = broken();
    const orders = objs.find((o) => o.kind === "Deployment" && o.metadata?.name === "orders") as K8sObject;
    orders.spec.replica = 2;
    orders.spec.template.spec.containers[0].imagePullPolicyy = "Always";
    const svc = objs.find((o) => o.kind === "Service" && o.metadata?.name === "gateway") as K8sObject;
    svc.spec.sessionAfinity = "ClientIP";
    svc.spec.ports[0].targetPorts = 8080;
    const monitor = objs.find((o) => o.kind === "ServiceMonitor") as K8sObject;
    monitor.spec.endpoints[0].intervall = "15s";
    const messages = (await checkObjects(objs)).map((f) => formatFinding("overlays/prod", f));
    expect(messages.sort()).toEqual([
      "overlays/prod: Deployment/orders: spec.replica: unknown field",
      "overlays/prod: Deployment/orders: spec.template.spec.containers[0].imagePullPolicyy: unknown field",
      "overlays/prod: Service/gateway: spec.ports[0].targetPorts: unknown field",
      "overlays/prod: Service/gateway: spec.sessionAfinity: unknown field",
      `overlays/prod: ServiceMonitor/${monitor.metadata?.name}: spec.endpoints[0].intervall: unknown field`,
    ]);
    expect(await checkObjects(objs, { strict: false })).toEqual([]);
  });

  test("strict mode: maps and x-kubernetes-preserve-unknown-fields parts take any key; a typo beside them does not pass", async () => {
    const [app] = parseYamlStream(readFileSync(join(K8S, "argocd", "prod.yaml"), "utf8")) as K8sObject[];
    const helm = { valuesObject: { replicaCount: 3, anything: { nested: ["goes"] } }, valueFiles: ["values.yaml"] };
    const withHelm = { ...app, spec: { ...app?.spec, source: { ...app?.spec.source, helm } } };
    withHelm.metadata = { ...app?.metadata, name: "prod", labels: { "example.com/any-key": "x" } };
    expect(await schemaFindings(withHelm)).toEqual([]);
    withHelm.spec.source.helm = { ...helm, valueFile: ["values.yaml"] };
    expect(await schemaFindings(withHelm)).toEqual([{ object: "Application/prod", field: "spec.source.helm.valueFile", message: "unknown field" }]);
  });

  test("an object of a kind without a schema is refused, not passed", async () => {
    expect(await schemaFindings({ apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" } })).toEqual([
      { object: "Widget/w", field: "apiVersion", message: "no schema known for example.com/v1 Widget" },
    ]);
  });
});
