// Checks an HTTP response against the merged contract with ajv: declared status, declared content type, valid body without undeclared members, problem status = HTTP status.
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import type { Schema } from "./schema-arbitrary.ts";

type Json = Record<string, unknown>;
type Header = { required?: boolean; schema?: Schema };
export type ResponseSpec = { headers?: Record<string, Header>; content?: Record<string, { schema?: Schema }> };
export type OpenApi = { paths: Record<string, Record<string, Json>>; components?: Record<string, Record<string, unknown>> };

const BASE = "https://contract.test/";

/** Every object schema that lists its members gets `additionalProperties: false` unless it says otherwise. */
function closed<T>(value: T): T {
  if (Array.isArray(value)) return value.map(closed) as T;
  if (value === null || typeof value !== "object") return value;
  const out: Json = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, closed(v)]));
  if (out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
  return out as T;
}

/** `#/components/...` → the registered contract document's absolute id, so a lone schema can point into it. */
function absolute<T>(value: T): T {
  return JSON.parse(JSON.stringify(value).replaceAll('"$ref":"#/', `"$ref":"${BASE}#/`)) as T;
}

export function createChecker(doc: OpenApi) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ $id: BASE, components: closed(doc.components ?? {}) });
  const cache = new Map<Schema, ReturnType<typeof ajv.compile>>();
  const compile = (schema: Schema) => {
    let fn = cache.get(schema);
    if (!fn) {
      fn = ajv.compile(closed(absolute(schema)));
      cache.set(schema, fn);
    }
    return fn;
  };
  const errorsOf = (fn: ReturnType<typeof ajv.compile>) => ajv.errorsText(fn.errors, { separator: "; " });

  /** Whether `value` satisfies `schema` (for requests: the generator's own check). */
  const valid = (schema: Schema, value: unknown) => compile(schema)(value) as boolean;

  /** The problems of one response (its body read as `text`) against `responses` (an operation's, or a synthetic one); [] when it conforms. */
  function check(responses: Record<string, ResponseSpec>, res: { status: number; headers: Headers }, text: string): string[] {
    const problems: string[] = [];
    const spec = responses[String(res.status)] ?? responses.default;
    if (!spec) return [`status ${res.status} is not declared (declared: ${Object.keys(responses).join(", ")})`];
    for (const [name, header] of Object.entries(spec.headers ?? {})) {
      const value = res.headers.get(name);
      if (value === null) {
        if (header.required) problems.push(`required header ${name} missing`);
        continue;
      }
      const schema = header.schema ?? {};
      const parsed = schema.type === "integer" ? (/^\d+$/.test(value) ? Number(value) : value) : value;
      if (!compile(schema)(parsed)) problems.push(`header ${name}: ${JSON.stringify(value)} ${errorsOf(compile(schema))}`);
    }
    const declared = Object.keys(spec.content ?? {});
    if (declared.length === 0) {
      if (text.length > 0) problems.push(`status ${res.status} declares no body but got ${text.length} bytes`);
      return problems;
    }
    const essence = (res.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
    const media = spec.content?.[essence];
    if (!media) return [...problems, `content type ${JSON.stringify(essence)} is not declared for ${res.status} (declared: ${declared.join(", ")})`];
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return [...problems, `body is not JSON: ${text.slice(0, 120)}`];
    }
    if (media.schema) {
      const fn = compile(media.schema);
      if (!fn(body)) problems.push(`body does not match the ${res.status} schema: ${errorsOf(fn)}; body ${text.slice(0, 300)}`);
    }
    if (essence === "application/problem+json" && (body as Json).status !== res.status) {
      problems.push(`problem status ${(body as Json).status} ≠ HTTP status ${res.status}`);
    }
    return problems;
  }

  return { check, valid };
}

export type Checker = ReturnType<typeof createChecker>;
