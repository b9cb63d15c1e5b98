// The parts of a fuzzed request: its types, parameter texts (valid and invalid) and the valid parts an operation's request is made of.
import fc from "fast-check";
import { type Operation, type Param, paramAccepts } from "./operations.ts";
import type { ResponseSpec } from "./response-check.ts";
import { invalidArb, type Resolve, type Schema, validArb } from "./schema-arbitrary.ts";

export type Kind =
  | "valid"
  | "path-param"
  | "query-value"
  | "query-unknown"
  | "header-missing"
  | "header-invalid"
  | "body-schema"
  | "body-json"
  | "body-media"
  | "no-token"
  | "wrong-scope"
  | "method"
  | "trailing-slash";

export interface FuzzRequest {
  op: string;
  kind: Kind;
  method: string;
  path: string;
  query: [string, string][];
  headers: Record<string, string>;
  body?: string | Uint8Array;
  /** What this request must get when it is malformed (status, and the problem code and Allow where they are certain). */
  expect?: { status: number | number[]; code?: string; allow?: string };
  /** The responses to check the answer against: the operation's, or the shared 404/405 for what has no operation. */
  responses: Record<string, ResponseSpec>;
}

export interface Context {
  resolve: Resolve;
  valid: (schema: Schema, value: unknown) => boolean;
  /** Values that name existing resources, per path parameter name (`id` → order ids, …). */
  known: Record<string, string[]>;
  /** Values of top-level body members that name existing things, per operation id (`model` → configured models). */
  knownBody: Record<string, Record<string, unknown[]>>;
  /** Cursors the server handed out, per operation id. */
  cursors: Record<string, string[]>;
  ops: readonly Operation[];
  /** A token with every scope, and tokens with one scope each (a wrong-scope request takes one its operation does not accept). */
  tokens: { all: string; single: Record<string, string> };
}

/** Spellings of integers a URL must not get away with (hex, sign, leading zero, exponent, blanks, fractions, full-width). */
const NOT_DECIMAL = ["0x10", "+1", "01", " 1", "1 ", "1e1", "1.0", "", "-0", "１", "1_0", "Infinity", "NaN"];
export const JSON_TEXT = /^[\x20-\x7e]*$/;

/** A header value HTTP can carry as it is: visible ASCII, inner spaces, no surrounding whitespace (a parser strips it). */
export const isFieldValue = (t: string) => /^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$/.test(t);

export const asText = (v: unknown) => (typeof v === "string" ? v : (JSON.stringify(v) ?? ""));

/**
 * Valid values of a parameter as URL/header text; for path parameters, known resources half of the time, or always
 * when `existing` (a malformed request must have one thing wrong: not also a resource that is not there).
 */
export function validParam(p: Param, ctx: Context, existing = false): fc.Arbitrary<string> {
  const text = validArb(p.schema, ctx.resolve).map(asText);
  const drawn = p.in === "header" ? text.filter(isFieldValue) : text;
  const known = ctx.known[p.name] ?? [];
  if (p.in !== "path" || known.length === 0) return drawn;
  return existing ? fc.constantFrom(...known) : fc.oneof(drawn, fc.constantFrom(...known));
}

/** Whether some text breaks the parameter's schema (an unconstrained string parameter takes any text). */
export function canBreak(p: Param, ctx: Context): boolean {
  const s = ctx.resolve(p.schema);
  return (
    s.type !== "string" || s.enum !== undefined || s.pattern !== undefined || s.format !== undefined || s.minLength !== undefined || s.maxLength !== undefined
  );
}

/** Invalid values of a parameter as text, each confirmed against the schema; path values stay one non-dot segment. */
export function invalidParam(p: Param, ctx: Context): fc.Arbitrary<string> {
  const texts = fc.oneof(invalidArb(p.schema, ctx.resolve).map(asText), ...(p.schema.type === "integer" ? [fc.constantFrom(...NOT_DECIMAL)] : []));
  return texts.filter((t) => {
    if (paramAccepts(p, t, ctx.valid)) return false;
    if (p.in === "path") return t !== "" && t !== "." && t !== "..";
    if (p.in === "header") return isFieldValue(t);
    return true;
  });
}

export const byIn = (op: Operation, where: Param["in"]) => op.params.filter((p) => p.in === where);

/** A request built from drawn parts: path values, query pairs, headers, body text. */
export function build(
  op: Operation,
  ctx: Context,
  pathValues: Record<string, string>,
  query: [string, string][],
  headers: Record<string, string>,
  body?: FuzzRequest["body"],
) {
  const path = op.template.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(pathValues[name] ?? ""));
  const auth: Record<string, string> = op.scopes.length > 0 ? { authorization: `Bearer ${ctx.tokens.all}` } : {};
  return { op: op.id, method: op.method, path, query, headers: { ...auth, ...headers }, body, responses: op.responses };
}

/** The valid parts of a request: every path parameter, some optional query parameters, the required headers, a valid body. */
export function validParts(op: Operation, ctx: Context, existing = false) {
  const pathParams = fc.record(Object.fromEntries(byIn(op, "path").map((p) => [p.name, validParam(p, ctx, existing)])));
  const queryParams = byIn(op, "query").map((p) => {
    const cursors = ctx.cursors[op.id] ?? [];
    const value = p.name === "cursor" ? (cursors.length > 0 ? fc.constantFrom(...cursors) : fc.constant(undefined)) : validParam(p, ctx);
    return fc.option(
      value.map((v) => (v === undefined ? [] : [[p.name, v] as [string, string]])),
      { nil: [] as [string, string][] },
    );
  });
  const query = fc.tuple(...queryParams).map((pairs) => pairs.flat());
  const headers = fc.record(Object.fromEntries(byIn(op, "header").map((p) => [p.name, validParam(p, ctx)])));
  const known = Object.entries(ctx.knownBody[op.id] ?? {});
  const drawn = op.body ? validArb(op.body.schema, ctx.resolve) : fc.constant(undefined);
  // Known members in every body of a malformed request, in half of the valid ones.
  const named =
    known.length === 0
      ? drawn
      : fc
          .tuple(drawn, existing ? fc.constant(true) : fc.boolean(), fc.tuple(...known.map(([, values]) => fc.constantFrom(...values))))
          .map(([v, use, values]) => (use && v && typeof v === "object" ? { ...v, ...Object.fromEntries(known.map(([k], i) => [k, values[i]])) } : v));
  const body = op.body ? named.map((v) => JSON.stringify(v)) : fc.constant(undefined);
  return fc.record({ pathParams, query, headers, body });
}

export const jsonHeaders = (op: Operation, body: unknown): Record<string, string> =>
  op.body && body !== undefined ? { "content-type": "application/json" } : {};
