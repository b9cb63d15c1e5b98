// JSON Schema (the OpenAPI 3.1 subset our contracts use) → fast-check arbitraries of values that satisfy it, and of values that break it.
import fc from "fast-check";

export type Schema = {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  maxItems?: number;
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
};

/** Follows local `#/components/...` references. */
export type Resolve = (schema: Schema) => Schema;

export function resolver(doc: { components?: Record<string, Record<string, unknown>> }): Resolve {
  return function resolve(schema) {
    if (!schema.$ref) return schema;
    const [, kind, name] = schema.$ref.match(/^#\/components\/([^/]+)\/(.+)$/) ?? [];
    const target = doc.components?.[kind ?? ""]?.[name ?? ""];
    if (!target) throw new Error(`unresolvable $ref ${schema.$ref}`);
    return resolve(target as Schema);
  };
}

const MAX_INT32 = 2 ** 31 - 1;

/** Integers in [min, max]: mostly 32-bit ones, sometimes anywhere in a range up to 2^53, sometimes a bound itself. */
function integerIn(min: number, max: number): fc.Arbitrary<number> {
  const span = fc.bigInt({ min: BigInt(min), max: BigInt(max) }).map(Number);
  const small = fc.integer({ min: Math.max(min, -MAX_INT32), max: Math.min(max, MAX_INT32) });
  return fc.oneof({ weight: 6, arbitrary: small }, { weight: 1, arbitrary: span }, { weight: 1, arbitrary: fc.constantFrom(min, max) });
}

/** Texts of `min`–`max` characters: mostly printable ASCII, sometimes any Unicode. */
function textOf(min: number, max: number): fc.Arbitrary<string> {
  const cap = Math.min(max, min + 40);
  return fc.oneof(
    { weight: 3, arbitrary: fc.string({ minLength: min, maxLength: cap }) },
    { weight: 1, arbitrary: fc.string({ unit: "grapheme", minLength: min, maxLength: cap }).filter((s) => [...s].length <= max) },
    { weight: 1, arbitrary: fc.constant("x".repeat(Math.min(max, 4096))) },
  );
}

const HEX_GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

function stringArb(s: Schema): fc.Arbitrary<string> {
  const min = s.minLength ?? 0;
  const max = s.maxLength ?? 256;
  const fits = (v: string) => v.length >= min && v.length <= max;
  // A pattern governs; a format as ajv-formats reads it (`uuid` is any hex 8-4-4-4-12, whatever its version bits).
  if (s.pattern) {
    // fast-check cannot generate from lookaheads: draw from the pattern without them, keep what the whole one matches.
    const re = new RegExp(s.pattern);
    const lookaheadFree = s.pattern.replace(/\(\?[=!][^()]*\)/g, "");
    return fc.stringMatching(new RegExp(lookaheadFree)).filter((v) => fits(v) && re.test(v));
  }
  if (s.format === "uuid") return fc.stringMatching(HEX_GUID);
  if (s.format === "date-time") return fc.date({ min: new Date(0), max: new Date(4102444800000), noInvalidDate: true }).map((d) => d.toISOString());
  return textOf(min, max);
}

function arrayBounds(s: Schema): { min: number; max: number } {
  return { min: s.minItems ?? 0, max: s.maxItems ?? 20 };
}

/** Values the schema accepts. */
export function validArb(schema: Schema, resolve: Resolve): fc.Arbitrary<unknown> {
  const s = resolve(schema);
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum) return fc.constantFrom(...s.enum);
  const alternatives = s.anyOf ?? s.oneOf;
  if (alternatives) return fc.oneof(...alternatives.map((a) => validArb(a, resolve)));
  if (Array.isArray(s.type)) return fc.oneof(...s.type.map((t) => validArb({ ...s, type: t }, resolve)));
  switch (s.type) {
    case "null":
      return fc.constant(null);
    case "boolean":
      return fc.boolean();
    case "integer":
      return integerIn(s.minimum ?? (s.exclusiveMinimum ?? -1e9 - 1) + 1, s.maximum ?? (s.exclusiveMaximum ?? 1e9 + 1) - 1);
    case "number":
      return fc.double({ min: s.minimum ?? -1e9, max: s.maximum ?? 1e9, noNaN: true, noDefaultInfinity: true });
    case "string":
      return stringArb(s);
    case "array": {
      const { min, max } = arrayBounds(s);
      const item = validArb(s.items ?? {}, resolve);
      // Short lists mostly, the longest allowed sometimes.
      return fc.oneof(
        { weight: 4, arbitrary: fc.array(item, { minLength: min, maxLength: Math.min(max, min + 4) }) },
        { weight: 1, arbitrary: fc.array(item, { minLength: Math.min(max, 100), maxLength: Math.min(max, 100) }) },
      );
    }
    case "object": {
      const props = s.properties ?? {};
      const record = fc.record(Object.fromEntries(Object.entries(props).map(([k, v]) => [k, validArb(v, resolve)])), { requiredKeys: s.required ?? [] });
      if (typeof s.additionalProperties !== "object") return record;
      const extra = fc.dictionary(
        fc.string({ minLength: 1, maxLength: 12 }).filter((k) => !(k in props)),
        validArb(s.additionalProperties, resolve),
        { maxKeys: 3 },
      );
      return fc.tuple(record, extra).map(([r, e]) => ({ ...e, ...r }));
    }
    case undefined:
      if (s.properties) return validArb({ ...s, type: "object" }, resolve);
      return fc.jsonValue({ maxDepth: 2 }); // `{}`: any JSON value
    default:
      throw new Error(`no generator for schema ${JSON.stringify(s).slice(0, 200)}`);
  }
}

const anyJson = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.string(),
  fc.constant([]),
  fc.constant({}),
);

/**
 * Values the schema should refuse: a wrong type, a bound or pattern crossed, an enum missed, a required member
 * dropped, an undeclared member added, a broken element. Callers check each against the schema (ajv) and drop
 * the rare draw that is valid after all.
 */
export function invalidArb(schema: Schema, resolve: Resolve): fc.Arbitrary<unknown> {
  const s = resolve(schema);
  const options: fc.Arbitrary<unknown>[] = [anyJson];
  if (s.enum)
    options.push(
      fc.string({ maxLength: 8 }),
      ...s.enum
        .filter((e) => typeof e === "string")
        .slice(0, 3)
        .map((e) => fc.constant((e as string).toLowerCase())),
    );
  if (s.type === "integer" || s.type === "number") {
    if (s.maximum !== undefined) options.push(fc.constant(s.maximum + 1), fc.constant(s.maximum * 2 + 1));
    if (s.minimum !== undefined) options.push(fc.constant(s.minimum - 1));
    if (s.type === "integer") options.push(fc.constant((s.minimum ?? 0) + 0.5), fc.integer().map(String));
  }
  if (s.type === "string") {
    if (s.maxLength !== undefined) options.push(fc.constant("a".repeat(s.maxLength + 1)));
    if ((s.minLength ?? 0) > 0) options.push(fc.constant("a".repeat((s.minLength ?? 1) - 1)));
    if (s.pattern) {
      const re = new RegExp(s.pattern);
      options.push(fc.string({ unit: "grapheme", maxLength: 20 }).filter((v) => !re.test(v)));
    }
    if (s.format === "uuid")
      options.push(
        fc.uuid().map((u) => `${u}x`),
        fc.constant("not-a-uuid"),
      );
  }
  if (s.type === "array" || (Array.isArray(s.type) && s.type.includes("array"))) {
    const { min, max } = arrayBounds(s);
    const item = validArb(s.items ?? {}, resolve);
    // Past the largest bound only where that stays a small body (an over-long list of 1,025 tensors would be a 413 first).
    if (s.maxItems !== undefined && max <= 100) options.push(fc.array(item, { minLength: max + 1, maxLength: max + 1 }));
    if (min > 0) options.push(fc.array(item, { minLength: min - 1, maxLength: min - 1 }));
    options.push(
      fc
        .tuple(fc.array(item, { minLength: Math.max(0, min - 1), maxLength: Math.max(0, min - 1) }), invalidArb(s.items ?? {}, resolve))
        .map(([ok, bad]) => [...ok, bad]),
    );
  }
  if (s.type === "object" && s.properties) {
    const props = Object.entries(s.properties);
    const whole = validArb(s, resolve) as fc.Arbitrary<Record<string, unknown>>;
    for (const name of s.required ?? []) options.push(whole.map(({ [name]: _dropped, ...rest }) => rest));
    if (s.additionalProperties === false) options.push(whole.map((v) => ({ ...v, unexpected: 1 })));
    for (const [name, prop] of props) options.push(fc.tuple(whole, invalidArb(prop, resolve)).map(([v, bad]) => ({ ...v, [name]: bad })));
  }
  return fc.oneof(...options);
}
