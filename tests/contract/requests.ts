// fast-check arbitraries of requests for one contract operation: valid ones, and ones with exactly one thing wrong and the answer that thing calls for.
import fc from "fast-check";
import { contractAllow, type Operation, pathlessResponses } from "./operations.ts";
import { build, byIn, type Context, canBreak, type FuzzRequest, invalidParam, JSON_TEXT, jsonHeaders, type Kind, validParts } from "./request-parts.ts";
import { invalidArb } from "./schema-arbitrary.ts";

export type { Context, FuzzRequest } from "./request-parts.ts";

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
