// Parameter schemas as strict as their contract: decimal integers only, and no query parameter an operation does not declare.
import { z } from "@hono/zod-openapi";

/** Digits without sign, leading zeros, spaces, exponent or hex: what an OpenAPI `integer` looks like in a URL. */
const DECIMAL = /^(0|[1-9][0-9]*)$/;

/**
 * An integer path or query parameter from `min` to `max`. `z.coerce.number()` would take `0x10`, `+1`, `01`, ` 1` or
 * `1e1` too; the contract says `integer`, so only its plain decimal spelling is accepted (400 otherwise).
 */
export const decimalInteger = (min: number, max: number) =>
  z.string().regex(DECIMAL, "a decimal integer (digits only, no sign or leading zeros)").transform(Number).pipe(z.number().int().min(min).max(max));

/** The OpenAPI form of `decimalInteger(min, max)` (its zod form is a string pipe): spread into the parameter's `.openapi()`. */
export const integerDoc = (min: number, max: number) => ({ type: "integer" as const, minimum: min, maximum: max });

/**
 * The query of an operation that takes no query parameters. Every operation refuses the parameters it does not declare
 * (400 invalid_parameter), so a misspelt `limit` or a parameter of another operation is never silently ignored.
 */
export const NoQuery = z.strictObject({});
