// fast-check arbitraries of requests for one contract operation: valid ones, and ones with exactly one thing wrong and the answer that thing calls for.
import fc from "fast-check";
import { contractAllow, type Operation, type Param, paramAccepts, pathlessResponses } from "./operations.ts";
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
const JSON_TEXT = /^[\x20-\x7e]*$/;

/** A header value HTTP can carry as it is: visible ASCII, inner spaces, no surrounding whitespace (a parser strips it). */
const isFieldValue = (t: string) => /^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$/.test(t);

const asText = (v: unknown) => (typeof v === "string" ? v : (JSON.stringify(v) ?? ""));

/**
 * Valid values of a parameter as URL/header text; for path parameters, known resources half of the time, or always
 * when `existing` (a malformed request must have one thing wrong: not also a resource that is not there).
 */
function validParam(p: Param, ctx: Context, existing = false): fc.Arbitrary<string> {
  const text = validArb(p.schema, ctx.resolve).map(asText);
  const drawn = p.in === "header" ? text.filter(isFieldValue) : text;
  const known = ctx.known[p.name] ?? [];
  if (p.in !== "path" || known.length === 0) return drawn;
  return existing ? fc.constantFrom(...known) : fc.oneof(drawn, fc.constantFrom(...known));
}

/** Whether some text breaks the parameter's schema (an unconstrained string parameter takes any text). */
function canBreak(p: Param, ctx: Context): boolean {
  const s = ctx.resolve(p.schema);
  return (
    s.type !== "string" || s.enum !== undefined || s.pattern !== undefined || s.format !== undefined || s.minLength !== undefined || s.maxLength !== undefined
  );
}

/** Invalid values of a parameter as text, each confirmed against the schema; path values stay one non-dot segment. */
function invalidParam(p: Param, ctx: Context): fc.Arbitrary<string> {
  const texts = fc.oneof(invalidArb(p.schema, ctx.resolve).map(asText), ...(p.schema.type === "integer" ? [fc.constantFrom(...NOT_DECIMAL)] : []));
  return texts.filter((t) => {
    if (paramAccepts(p, t, ctx.valid)) return false;
    if (p.in === "path") return t !== "" && t !== "." && t !== "..";
    if (p.in === "header") return isFieldValue(t);
    return true;
  });
}

const byIn = (op: Operation, where: Param["in"]) => op.params.filter((p) => p.in === where);

/** A request built from drawn parts: path values, query pairs, headers, body text. */
function build(
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
function validParts(op: Operation, ctx: Context, existing = false) {
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

const jsonHeaders = (op: Operation, body: unknown): Record<string, string> => (op.body && body !== undefined ? { "content-type": "application/json" } : {});

/**
 * Valid requests, and malformed ones of every kind that applies to the operation (half and half). The weight is the
 * number of those kinds, so an operation with more ways to go wrong gets more requests.
 */
export function requestArb(op: Operation, ctx: Context): { weight: number; arbitrary: fc.Arbitrary<FuzzRequest> } {
  const valid = validParts(op, ctx).map((p) => ({
    ...build(op, ctx, p.pathParams, p.query, { ...p.headers, ...jsonHeaders(op, p.body) }, p.body),
    kind: "valid" as const,
  }));
  /** The valid rest of a malformed request: path parameters naming resources that exist, where the fuzzer knows some. */
  const parts = validParts(op, ctx, true);
  const malformed: fc.Arbitrary<FuzzRequest>[] = [];
  /** `expect` undefined: a 405 naming the methods the contract gives the request's path. */
  const add = (kind: Kind, expect: FuzzRequest["expect"], arb: fc.Arbitrary<Omit<FuzzRequest, "kind" | "expect">>) =>
    malformed.push(
      arb.map((r) => ({ ...r, kind, expect: expect ?? { status: 405, code: "method_not_allowed", allow: contractAllow(ctx.ops, r.path).join(", ") } })),
    );

  for (const p of byIn(op, "path").filter((p) => canBreak(p, ctx))) {
    add(
      "path-param",
      // A malformed segment names nothing: 400, or 404 where the resource is looked up before validation (inference's models).
      { status: [400, 404] },
      fc
        .tuple(parts, invalidParam(p, ctx))
        .map(([v, bad]) => build(op, ctx, { ...v.pathParams, [p.name]: bad }, v.query, { ...v.headers, ...jsonHeaders(op, v.body) }, v.body)),
    );
  }
  for (const p of byIn(op, "query").filter((p) => canBreak(p, ctx))) {
    add(
      "query-value",
      { status: 400, code: "invalid_parameter" },
      fc
        .tuple(parts, invalidParam(p, ctx))
        .map(([v, bad]) =>
          build(op, ctx, v.pathParams, [...v.query.filter(([n]) => n !== p.name), [p.name, bad]], { ...v.headers, ...jsonHeaders(op, v.body) }, v.body),
        ),
    );
  }
  const declared = new Set(byIn(op, "query").map((p) => p.name));
  add(
    "query-unknown",
    { status: 400, code: "invalid_parameter" },
    fc
      .tuple(
        parts,
        fc.stringMatching(/^[a-z][a-z_]{0,11}$/).filter((n) => !declared.has(n)),
        fc.string({ maxLength: 8 }),
      )
      .map(([v, name, value]) => build(op, ctx, v.pathParams, [...v.query, [name, value]], { ...v.headers, ...jsonHeaders(op, v.body) }, v.body)),
  );
  for (const p of byIn(op, "header").filter((h) => h.name === "idempotency-key")) {
    const without = (h: Record<string, string>) => Object.fromEntries(Object.entries(h).filter(([n]) => n !== p.name));
    add(
      "header-missing",
      { status: 400, code: "idempotency_key_missing" },
      parts.map((v) => build(op, ctx, v.pathParams, v.query, { ...without(v.headers), ...jsonHeaders(op, v.body) }, v.body)),
    );
    if (canBreak(p, ctx))
      add(
        "header-invalid",
        { status: 400, code: "idempotency_key_invalid" },
        fc
          .tuple(parts, invalidParam(p, ctx))
          .map(([v, bad]) => build(op, ctx, v.pathParams, v.query, { ...v.headers, [p.name]: bad, ...jsonHeaders(op, v.body) }, v.body)),
      );
  }
  if (op.body) {
    const schema = op.body.schema;
    const invalidBody = invalidArb(schema, ctx.resolve)
      .map((v) => JSON.stringify(v))
      .filter((t) => t !== undefined && !ctx.valid(schema, JSON.parse(t)));
    const json = { "content-type": "application/json" };
    add(
      "body-schema",
      { status: 422, code: "validation_failed" },
      fc.tuple(parts, invalidBody).map(([v, bad]) => build(op, ctx, v.pathParams, v.query, { ...v.headers, ...json }, bad)),
    );
    const broken = fc.oneof(
      fc.constantFrom("{", '{"currency":', "[1,]", "nul", '{"a":1}}'),
      fc.string({ minLength: 1, maxLength: 20 }).filter((t) => JSON_TEXT.test(t) && !isJson(t)),
    );
    add(
      "body-json",
      { status: 400, code: "invalid_json" },
      fc.tuple(parts, broken).map(([v, bad]) => build(op, ctx, v.pathParams, v.query, { ...v.headers, ...json }, bad)),
    );
    const media = fc.constantFrom(
      "text/plain",
      "application/ld+json",
      "application/json; charset=utf-16",
      "application/json; charset=iso-8859-1",
      "application/x-www-form-urlencoded",
    );
    add(
      "body-media",
      { status: 415, code: "unsupported_media_type" },
      fc.tuple(parts, media).map(([v, type]) => {
        const body = type.endsWith("utf-16") ? utf16le(v.body ?? "{}") : v.body;
        return build(op, ctx, v.pathParams, v.query, { ...v.headers, "content-type": type }, body);
      }),
    );
  }
  if (op.scopes.length > 0) {
    add(
      "no-token",
      { status: 401, code: "unauthorized" },
      valid.map(({ headers: { authorization: _, ...rest }, ...r }) => ({ ...r, headers: rest })),
    );
    const wrong = Object.entries(ctx.tokens.single)
      .filter(([scope]) => !op.scopes.includes(scope))
      .map(([, token]) => token);
    add(
      "wrong-scope",
      { status: 403, code: "insufficient_scope" },
      fc.tuple(valid, fc.constantFrom(...wrong)).map(([r, token]) => ({ ...r, headers: { ...r.headers, authorization: `Bearer ${token}` } })),
    );
  }
  add(
    "trailing-slash",
    { status: 404, code: "not_found" },
    valid.map((r) => ({ ...r, path: `${r.path}/`, responses: pathlessResponses() })),
  );
  add(
    "method",
    undefined,
    valid.chain((r) => {
      const allow = contractAllow(ctx.ops, r.path);
      const others = ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"].filter((m) => !allow.includes(m));
      return fc.constantFrom(...others).map((method) => ({ ...r, method, body: method === "GET" ? undefined : r.body, responses: pathlessResponses() }));
    }),
  );
  return {
    weight: malformed.length,
    arbitrary: fc.oneof({ weight: malformed.length, arbitrary: valid }, ...malformed.map((m) => ({ weight: 1, arbitrary: m }))),
  };
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** The text as UTF-16LE bytes: what a client that means `charset=utf-16` sends. */
function utf16le(text: string): Uint8Array {
  const out = new Uint8Array(text.length * 2);
  for (let i = 0; i < text.length; i++) new DataView(out.buffer).setUint16(i * 2, text.charCodeAt(i), true);
  return out;
}
