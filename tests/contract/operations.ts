// The operations of the merged contract as the fuzzer needs them: method, template, parameters, body, responses, scopes; and which methods a concrete path takes.
import type { OpenApi, ResponseSpec } from "./response-check.ts";
import type { Schema } from "./schema-arbitrary.ts";

export interface Param {
  name: string;
  in: "path" | "query" | "header";
  required: boolean;
  schema: Schema;
}

export interface Operation {
  id: string;
  method: string;
  template: string;
  params: Param[];
  body?: { required: boolean; mediaTypes: string[]; schema: Schema };
  responses: Record<string, ResponseSpec>;
  /** Any one of these scopes lets a caller through ([] for the gateway's own public operations). */
  scopes: string[];
}

const METHODS = ["get", "put", "post", "delete", "patch", "options", "head", "trace"];

export function operationsOf(doc: OpenApi, skipPrefixes: readonly string[]): Operation[] {
  const ops: Operation[] = [];
  for (const [template, item] of Object.entries(doc.paths)) {
    if (skipPrefixes.some((p) => template === p || template.startsWith(`${p}/`))) continue;
    for (const method of METHODS) {
      const op = item[method] as
        | {
            operationId: string;
            parameters?: Param[];
            requestBody?: { required?: boolean; content: Record<string, { schema: Schema }> };
            responses: Record<string, ResponseSpec>;
            security?: Record<string, string[]>[];
          }
        | undefined;
      if (!op) continue;
      const content = op.requestBody?.content;
      const [first] = Object.values(content ?? {});
      ops.push({
        id: op.operationId,
        method: method.toUpperCase(),
        template,
        params: op.parameters ?? [],
        body: content && first ? { required: op.requestBody?.required ?? false, mediaTypes: Object.keys(content), schema: first.schema } : undefined,
        responses: op.responses,
        scopes: (op.security ?? []).flatMap((r) => Object.values(r).flat()),
      });
    }
  }
  return ops;
}

const templateRegex = (template: string) => new RegExp(`^${template.replace(/\{[^}]+\}/g, "[^/]+")}$`);

/** The `Allow` the contract implies for a concrete path: every method of every template it matches, HEAD with GET; [] = no such path. */
export function contractAllow(ops: readonly Operation[], path: string): string[] {
  const methods = new Set(ops.filter((o) => templateRegex(o.template).test(path)).map((o) => o.method));
  if (methods.has("GET")) methods.add("HEAD");
  return [...methods].sort();
}

/** How an OpenAPI `integer` is spelled in a URL: plain decimal digits. */
const DECIMAL_INTEGER = /^-?(0|[1-9][0-9]*)$/;

/** Whether a path/query/header string satisfies its parameter schema (`valid` checks a value against a schema). */
export function paramAccepts(param: Param, text: string, valid: (schema: Schema, value: unknown) => boolean): boolean {
  if (param.schema.type === "integer") return DECIMAL_INTEGER.test(text) && valid(param.schema, Number(text));
  return valid(param.schema, text);
}

/** Responses for what the contract has no operation for: the problem+json 404 and 405 (with its Allow) every path shares. */
export function pathlessResponses(): Record<string, ResponseSpec> {
  const problem = { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } };
  return {
    "404": { content: problem },
    "405": { headers: { Allow: { required: true, schema: { type: "string" } } }, content: problem },
  };
}
