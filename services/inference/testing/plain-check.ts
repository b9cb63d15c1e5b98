// Test helper: a hot path's plain-body check held to the schema it stands in for, over generated bodies.
import type { z } from "@hono/zod-openapi";
import { type Random, seededRandom } from "../../../lib/testing/seeded-random.ts";

export interface PlainCheckTrial {
  seed: number;
  bodies: number;
  /** A fresh valid body. */
  valid(): Record<string, unknown>;
  /** One random change to a body, in place. */
  mutate(body: Record<string, unknown>, r: Random): void;
  plain(value: unknown): boolean;
  schema: z.ZodType;
}

/**
 * Makes `bodies` bodies of up to three changes each and sends each through JSON, as on the wire (a defined
 * "__proto__" becomes an own key, -0 becomes 0). Throws on a body the check accepts and the schema rejects or changes;
 * returns how many the check accepted, and how many it left to a schema that accepts them.
 */
export function trialPlainCheck(t: PlainCheckTrial): { plain: number; schemaOnly: number } {
  const r = seededRandom(t.seed);
  let plain = 0;
  let schemaOnly = 0;
  for (let i = 0; i < t.bodies; i++) {
    const body = t.valid();
    const changes = Math.floor(r() * 4);
    for (let c = 0; c < changes; c++) t.mutate(body, r);
    const value = JSON.parse(JSON.stringify(body)) as unknown;
    const checked = t.schema.safeParse(value);
    if (t.plain(value)) {
      plain++;
      if (!checked.success || !Bun.deepEquals(checked.data, value, true)) throw new Error(`accepted, and the schema disagrees: ${JSON.stringify(value)}`);
    } else if (checked.success) schemaOnly++;
  }
  return { plain, schemaOnly };
}
