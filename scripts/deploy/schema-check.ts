// Validates Kubernetes objects against their JSON schemas, offline: the kubernetes-models packages (the Kubernetes API's
// OpenAPI schemas, the Prometheus Operator and Argo CD CRDs, compiled to ajv validators) and, for CloudNativePG, a subset.
import Ajv from "ajv";
import cnpgClusterSchema from "./cnpg-cluster.schema.json" with { type: "json" };
import { recordReads } from "./unknown-fields.ts";

export interface K8sObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string> };
  // biome-ignore lint/suspicious/noExplicitAny: rendered YAML, checked by the schemas and policies
  [field: string]: any;
}

export interface Finding {
  /** Kind/name of the object. */
  object: string;
  /** Dotted path of the field, e.g. spec.template.spec.containers[0].image ("" for the object itself). */
  field: string;
  message: string;
}

type AjvError = { instancePath: string; message?: string; keyword: string; params?: Record<string, unknown> };
/** Validates `data`: the object itself or, in strict mode, a recording proxy of it. */
type Validator = (data: unknown) => AjvError[];

/** The module holding the model of `apiVersion`/`kind`; undefined when no package has it. */
function modelModule(apiVersion: string, kind: string): string | undefined {
  if (apiVersion.startsWith("monitoring.coreos.com/")) return `@kubernetes-models/prometheus-operator/${apiVersion}/${kind}`;
  if (apiVersion.startsWith("argoproj.io/")) return `@kubernetes-models/argo-cd/${apiVersion}/${kind}`;
  // The Kubernetes API's own groups: "v1", "apps/v1", "policy/v1", "networking.k8s.io/v1", …
  const group = apiVersion.includes("/") ? (apiVersion.split("/")[0] as string) : "";
  if (group.includes(".") && !group.endsWith(".k8s.io")) return undefined;
  return `kubernetes-models/${apiVersion}/${kind}`;
}

const ajv = new Ajv({ allErrors: true, strict: false });
const cnpgCluster = ajv.compile(cnpgClusterSchema);
const cache = new Map<string, Validator | undefined>();

async function validatorFor(apiVersion: string, kind: string): Promise<Validator | undefined> {
  const key = `${apiVersion}/${kind}`;
  if (cache.has(key)) return cache.get(key);
  let validator: Validator | undefined;
  if (key === "postgresql.cnpg.io/v1/Cluster") {
    validator = (obj) => (cnpgCluster(obj) ? [] : ((cnpgCluster.errors ?? []) as AjvError[]));
  } else {
    const module = modelModule(apiVersion, kind);
    // biome-ignore lint/suspicious/noExplicitAny: a model class looked up by name
    const Model = module ? ((await import(module).catch(() => undefined)) as any)?.[kind] : undefined;
    if (Model)
      validator = (data) => {
        try {
          // The model's compiled validator run on `data` as is (`new Model(data)` would copy it past the recording proxy).
          Model.prototype.validate.call(data);
          return [];
        } catch (err) {
          return ((err as { errors?: AjvError[] }).errors ?? [{ instancePath: "", keyword: "model", message: (err as Error).message }]) as AjvError[];
        }
      };
  }
  cache.set(key, validator);
  return validator;
}

/** /spec/template/spec/containers/0/image → spec.template.spec.containers[0].image */
export function fieldPath(pointer: string): string {
  return pointer
    .split("/")
    .slice(1)
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path ? `${path}.${part}` : part), "");
}

export const objectName = (o: K8sObject) => `${o.kind ?? "(no kind)"}/${o.metadata?.name ?? "(no name)"}`;

export interface SchemaOptions {
  /** Refuse fields the schema does not declare (kubeconform -strict); on unless turned off. */
  strict?: boolean;
}

export async function schemaFindings(obj: K8sObject, { strict = true }: SchemaOptions = {}): Promise<Finding[]> {
  const object = objectName(obj);
  if (!obj.apiVersion || !obj.kind) return [{ object, field: "", message: "apiVersion and kind are required" }];
  const validate = await validatorFor(obj.apiVersion, obj.kind);
  if (!validate) return [{ object, field: "apiVersion", message: `no schema known for ${obj.apiVersion} ${obj.kind}` }];
  const recording = strict ? recordReads(obj) : undefined;
  const errors = validate(recording ? recording.proxy : obj);
  // A field ajv already refused (additionalProperties: false) is not reported twice.
  const refused = new Set(errors.filter((e) => e.keyword === "additionalProperties").map((e) => `${e.instancePath}/${e.params?.additionalProperty}`));
  for (const pointer of recording?.unknownFields() ?? [])
    if (!refused.has(pointer)) errors.push({ instancePath: pointer, keyword: "additionalProperties", message: "unknown field" });
  return errors.map((e) => {
    let field = fieldPath(e.instancePath);
    const extra = e.params?.additionalProperty ?? e.params?.missingProperty;
    if (typeof extra === "string") field = field ? `${field}.${extra}` : extra;
    const message = e.keyword === "additionalProperties" ? "unknown field" : (e.message ?? e.keyword);
    return { object, field, message };
  });
}
