// The platform's own rules for rendered manifests, beyond what the schemas say: probes, shutdown timing, images, limits,
// hardened pods, and network policies that let only the gateway take traffic from anywhere.
import type { Finding, K8sObject } from "./schema-check.ts";
import { objectName } from "./schema-check.ts";

const PROBES = { startupProbe: "/startupz", livenessProbe: "/healthz", readinessProbe: "/readyz" } as const;
const POD_OWNERS = new Set(["Deployment", "StatefulSet", "DaemonSet", "Job"]);
/** Pods of the platform's own services carry this label (nats and the databases do not). */
const isService = (o: K8sObject) => o.metadata?.labels?.["app.kubernetes.io/component"] === "service";

export function policyFindings(objects: K8sObject[]): Finding[] {
  const findings: Finding[] = [];
  for (const o of objects) {
    const add = (field: string, message: string) => findings.push({ object: objectName(o), field, message });
    if (POD_OWNERS.has(o.kind ?? "")) checkPod(o, add);
    if (o.kind === "NetworkPolicy") {
      const rules: { from?: unknown[] }[] = o.spec?.ingress ?? [];
      rules.forEach((rule, i) => {
        const open = !rule.from || rule.from.length === 0;
        const selects = o.spec?.podSelector?.matchLabels?.["app.kubernetes.io/name"];
        if (open && selects !== "gateway") add(`spec.ingress[${i}].from`, "admits every source: only the gateway may take traffic from anywhere");
      });
    }
  }
  for (const d of objects.filter((o) => o.kind === "Deployment" && isService(o))) {
    const name = d.metadata?.name;
    const covered = objects.some((p) => p.kind === "NetworkPolicy" && p.spec?.podSelector?.matchLabels?.["app.kubernetes.io/name"] === name);
    if (!covered) findings.push({ object: objectName(d), field: "", message: "no NetworkPolicy selects this service's pods" });
  }
  return findings;
}

function checkPod(o: K8sObject, add: (field: string, message: string) => void): void {
  const pod = o.spec?.template?.spec ?? {};
  const at = "spec.template.spec";
  if (pod.securityContext?.runAsNonRoot !== true) add(`${at}.securityContext.runAsNonRoot`, "must be true");
  if (pod.securityContext?.seccompProfile?.type !== "RuntimeDefault") add(`${at}.securityContext.seccompProfile.type`, "must be RuntimeDefault");
  // biome-ignore lint/suspicious/noExplicitAny: rendered YAML
  (pod.containers ?? []).forEach((c: any, i: number) => {
    const cf = `${at}.containers[${i}]`;
    const image: string = c.image ?? "";
    const tag = image.includes("@") ? "digest" : (/:([^/:]+)$/.exec(image)?.[1] ?? "");
    if (tag === "" || tag === "latest") add(`${cf}.image`, `"${image}" must name a version tag or digest, not latest`);
    for (const kind of ["requests", "limits"] as const)
      for (const r of ["cpu", "memory"]) if (c.resources?.[kind]?.[r] === undefined) add(`${cf}.resources.${kind}.${r}`, "must be set");
    const sc = c.securityContext ?? {};
    if (sc.allowPrivilegeEscalation !== false) add(`${cf}.securityContext.allowPrivilegeEscalation`, "must be false");
    if (sc.readOnlyRootFilesystem !== true) add(`${cf}.securityContext.readOnlyRootFilesystem`, "must be true");
    if (!(sc.capabilities?.drop ?? []).includes("ALL")) add(`${cf}.securityContext.capabilities.drop`, "must include ALL");
    if (!isService(o)) return;
    for (const [probe, path] of Object.entries(PROBES))
      if (c[probe]?.httpGet?.path !== path) add(`${cf}.${probe}.httpGet.path`, `must be ${path} (found ${c[probe]?.httpGet?.path ?? "no probe"})`);
    const env = Object.fromEntries((c.env ?? []).map((e: { name: string; value?: string }) => [e.name, e.value]));
    const drain = Number(env.DRAIN_DELAY_MS);
    const grace = Number(env.SHUTDOWN_GRACE_MS);
    if (!Number.isFinite(drain) || !Number.isFinite(grace)) add(`${cf}.env`, "DRAIN_DELAY_MS and SHUTDOWN_GRACE_MS must be set to numbers");
    else if (!((pod.terminationGracePeriodSeconds ?? 30) * 1000 > drain + grace))
      add(
        `${at}.terminationGracePeriodSeconds`,
        `${pod.terminationGracePeriodSeconds ?? 30} s must outlast DRAIN_DELAY_MS + SHUTDOWN_GRACE_MS (${drain + grace} ms)`,
      );
  });
}
