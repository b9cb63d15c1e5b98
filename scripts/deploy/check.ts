// `npm run deploy:check`: renders deploy/k8s/base and every overlay with kustomize (kubectl 1.35), validates every object
// against its schema and the platform's policies, checks the Argo CD Applications and the generated alert rules.
// A finding names overlay, object and field: `overlays/prod: Deployment/orders: spec.replicas: must be integer`.
import { readdir, readFile } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { kubectlBinary } from "./kubectl.ts";
import { policyFindings } from "./policy-check.ts";
import { GENERATED, renderPrometheusRules } from "./prometheus-rules.ts";
import { type Finding, type K8sObject, type SchemaOptions, schemaFindings } from "./schema-check.ts";

const ROOT = resolve(import.meta.dir, "../..");
export const K8S = join(ROOT, "deploy", "k8s");
export const KUSTOMIZATIONS = ["base", "overlays/dev", "overlays/prod"];

/** Parses a multi-document YAML stream into objects (empty documents dropped). */
export function parseYamlStream(text: string): K8sObject[] {
  const parsed = Bun.YAML.parse(text) as K8sObject | K8sObject[] | null;
  return (Array.isArray(parsed) ? parsed : [parsed]).filter((o): o is K8sObject => o !== null && typeof o === "object");
}

/** `kubectl kustomize DIR`: the objects an overlay deploys. Throws with kustomize's message when it cannot render. */
export async function render(dir: string): Promise<K8sObject[]> {
  const proc = Bun.spawn([await kubectlBinary(), "kustomize", dir], { stdout: "pipe", stderr: "pipe" });
  const [code, out, err] = await Promise.all([proc.exited, new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  if (code !== 0) throw new Error(`kustomize cannot render ${relative(ROOT, dir)}:\n${err.trim()}`);
  return parseYamlStream(out);
}

/** Schema findings for every object, then the policy findings for the set. */
export async function checkObjects(objects: K8sObject[], options: SchemaOptions = {}): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const o of objects) findings.push(...(await schemaFindings(o, options)));
  return [...findings, ...policyFindings(objects)];
}

export const formatFinding = (where: string, f: Finding) => `${where}: ${f.object}: ${f.field ? `${f.field}: ` : ""}${f.message}`;

if (import.meta.main) {
  // `--no-strict` accepts fields the schemas do not declare (for a field newer than the schemas in kubernetes-models).
  const options: SchemaOptions = { strict: !process.argv.includes("--no-strict") };
  const problems: string[] = [];
  for (const k of KUSTOMIZATIONS) {
    try {
      const objects = await render(join(K8S, k));
      const findings = await checkObjects(objects, options);
      problems.push(...findings.map((f) => formatFinding(k, f)));
      console.log(`deploy:check: ${k}: ${objects.length} objects, ${findings.length} findings`);
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  for (const file of (await readdir(join(K8S, "argocd"))).filter((f) => f.endsWith(".yaml"))) {
    const objects = parseYamlStream(await readFile(join(K8S, "argocd", file), "utf8"));
    for (const o of objects) {
      problems.push(...(await schemaFindings(o, options)).map((f) => formatFinding(`argocd/${file}`, f)));
      const path: string | undefined = o.spec?.source?.path;
      if (path && !KUSTOMIZATIONS.some((k) => `deploy/k8s/${k}` === path))
        problems.push(`argocd/${file}: ${o.kind}/${o.metadata?.name}: spec.source.path: ${path} is not one of the overlays`);
    }
    console.log(`deploy:check: argocd/${file}: ${objects.length} objects`);
  }
  if ((await readFile(GENERATED, "utf8").catch(() => "")) !== (await renderPrometheusRules()))
    problems.push("base/prometheus-rules.yaml: differs from deploy/prometheus/rules/: run `bun scripts/deploy/prometheus-rules.ts`");
  for (const p of problems) console.error(p);
  console.log(problems.length === 0 ? "deploy:check: ok" : `deploy:check: ${problems.length} problems`);
  process.exit(problems.length === 0 ? 0 : 1);
}
