// The hot path's check of the common infer body against the schema it stands in for, over generated bodies.
import { describe, expect, test } from "bun:test";
import { pick, type Random } from "../../../lib/testing/seeded-random.ts";
import { trialPlainCheck } from "../testing/plain-check.ts";
import { isPlainInferRequest } from "./plain-infer-request.ts";
import { InferRequest } from "./schemas.ts";

const valid = () => ({
  id: "req-1",
  inputs: [
    { name: "text", shape: [2], datatype: "BYTES", data: ["Bonjour", "hello"] },
    {
      name: "x",
      shape: [2, 2],
      datatype: "INT8",
      data: [
        [1, -2],
        [3, 127],
      ],
    },
  ],
});

/** Values a field may be changed to: each kind JSON has, and the edges of the schema's limits. */
const ODD: unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  2 ** 53,
  -0,
  "",
  "x",
  "x".repeat(256),
  "x".repeat(257),
  [],
  [1],
  [-1],
  [1.5],
  ["1"],
  Array.from({ length: 16 }, () => 1),
  Array.from({ length: 17 }, () => 1),
  {},
  { a: 1 },
  "BYTES",
  "FP32",
  "INT4",
  "bytes",
];

type Body = Record<string, unknown>;
/** A fresh copy each time: a shared array pushed into itself would make the body cyclic. */
const odd = (r: Random): unknown => structuredClone(pick(r, ODD));

/** A new shape for a tensor, up to one dimension past the schema's 16, a few odd ones, and data to match its size. */
function reshape(t: Body, r: Random): void {
  const shape = Array.from({ length: pick(r, [0, 1, 2, 3, 16, 17]) }, () => (r() < 0.9 ? 1 : pick(r, [2, -1, 0, 1.5])));
  t.shape = shape;
  const n = shape.reduce((a, d) => a * d, 1);
  const element = t.datatype === "BYTES" ? "a" : t.datatype === "BOOL" ? true : 1;
  if (Number.isInteger(n) && n >= 0 && n <= 64) t.data = Array.from({ length: n }, () => element);
}

/** One random change: a field removed, added or replaced, at the top or in a tensor, or a tensor reshaped. */
function mutate(body: Body, r: Random): void {
  const inputs = Array.isArray(body.inputs) ? (body.inputs as Body[]) : [];
  if (inputs.length > 0 && r() < 0.2) {
    const t = pick(r, inputs);
    if (typeof t === "object" && t !== null && !Array.isArray(t)) {
      reshape(t, r);
      return;
    }
  }
  const target: Body = inputs.length > 0 && r() < 0.7 ? (pick(r, inputs) as Body) : body;
  if (typeof target !== "object" || target === null) return;
  const keys = Object.keys(target);
  const field = r() < 0.8 && keys.length > 0 ? pick(r, keys) : pick(r, ["parameters", "outputs", "extra", "__proto__", "id", "data"]);
  const roll = r();
  if (roll < 0.15) delete target[field];
  else if (roll < 0.3 && Array.isArray(target[field])) (target[field] as unknown[]).push(odd(r));
  else if (roll < 0.4 && Array.isArray(target[field])) (target[field] as unknown[]).pop();
  else if (roll < 0.5 && target === body && field === "inputs" && inputs.length > 0) inputs.push(structuredClone(pick(r, inputs)));
  else if (roll < 0.55) Object.defineProperty(target, field, { value: odd(r), enumerable: true, configurable: true, writable: true });
  else target[field] = odd(r);
}

describe("the plain infer body check", () => {
  test("whatever it accepts, the schema accepts and returns unchanged (20,000 generated bodies)", () => {
    const { plain, schemaOnly } = trialPlainCheck({ seed: 20261206, bodies: 20_000, valid, mutate, plain: isPlainInferRequest, schema: InferRequest });
    // Both sides occur: the check is neither vacuous nor a copy of the schema's every allowance.
    expect(plain).toBeGreaterThan(3_000);
    expect(schemaOnly).toBeGreaterThan(100);
  });

  test("the common body is plain; parameters, outputs and unknown keys go to the schema", () => {
    expect(isPlainInferRequest(valid())).toBe(true);
    expect(isPlainInferRequest({ inputs: valid().inputs })).toBe(true);
    expect(isPlainInferRequest({ ...valid(), parameters: { a: 1 } })).toBe(false);
    expect(isPlainInferRequest({ ...valid(), outputs: [{ name: "y" }] })).toBe(false);
    expect(isPlainInferRequest(JSON.parse('{"__proto__": {}, "inputs": [{"name": "t", "shape": [1], "datatype": "BYTES", "data": ["a"]}]}'))).toBe(false);
    // The schema's own refinements hold: duplicate names, element counts, element types.
    const twice = valid();
    (twice.inputs[1] as { name: string }).name = "text";
    expect(isPlainInferRequest(twice)).toBe(false);
    const short = valid();
    short.inputs[0]?.data.pop();
    expect(isPlainInferRequest(short)).toBe(false);
    const wide = valid();
    (wide.inputs[1] as { data: unknown[] }).data = [
      [1, 2],
      [3, 128],
    ];
    expect(isPlainInferRequest(wide)).toBe(false);
  });
});
