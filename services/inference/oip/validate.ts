// OIP v2 tensor checks zod cannot express per field: unique names, element count against shape, element types per datatype.

export const DATATYPES = ["BOOL", "UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16", "INT32", "INT64", "FP16", "FP32", "FP64", "BF16", "BYTES"] as const;
export type Datatype = (typeof DATATYPES)[number];

export interface TensorInput {
  name: string;
  shape: number[];
  datatype: Datatype;
  data: unknown[];
}

export interface TensorIssue {
  path: (string | number)[];
  message: string;
}

const INT_RANGE: Partial<Record<Datatype, [number, number]>> = {
  INT8: [-128, 127],
  INT16: [-32_768, 32_767],
  INT32: [-2_147_483_648, 2_147_483_647],
  INT64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  UINT8: [0, 255],
  UINT16: [0, 65_535],
  UINT32: [0, 4_294_967_295],
  UINT64: [0, Number.MAX_SAFE_INTEGER],
};

/** What one element of a datatype must be (undefined: fine). */
function elementProblem(datatype: Datatype, v: unknown): string | undefined {
  if (datatype === "BYTES") return typeof v === "string" ? undefined : "BYTES elements must be strings";
  if (datatype === "BOOL") return typeof v === "boolean" ? undefined : "BOOL elements must be true or false";
  if (typeof v !== "number" || !Number.isFinite(v)) return `${datatype} elements must be finite numbers`;
  const range = INT_RANGE[datatype];
  if (range && (!Number.isInteger(v) || v < range[0] || v > range[1])) return `${datatype} elements must be integers in [${range[0]}, ${range[1]}]`;
  return undefined;
}

/** Elements the shape calls for (the product of its dimensions). */
export function shapeElements(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

const MAX_DEPTH = 32;

/**
 * Counts the elements of `data` (flat or nested row-major, as OIP allows) and reports the first wrong element;
 * stops at `limit` elements so an oversized tensor costs no more than the limit.
 */
function walk(data: unknown[], datatype: Datatype, limit: number): { count: number; problem?: string } {
  let count = 0;
  let problem: string | undefined;
  const visit = (items: unknown[], depth: number): void => {
    if (depth > MAX_DEPTH) {
      problem = `data nests deeper than ${MAX_DEPTH} levels`;
      return;
    }
    for (const v of items) {
      if (problem !== undefined || count > limit) return;
      if (Array.isArray(v)) visit(v, depth + 1);
      else {
        count++;
        problem = elementProblem(datatype, v);
      }
    }
  };
  visit(data, 0);
  return problem === undefined ? { count } : { count, problem };
}

/** Every problem with a request's input tensors: names, element counts against shapes, element types, the element cap. */
export function tensorIssues(inputs: readonly TensorInput[], maxElements: number): TensorIssue[] {
  const issues: TensorIssue[] = [];
  const names = new Set<string>();
  let total = 0;
  inputs.forEach((t, i) => {
    if (names.has(t.name)) issues.push({ path: ["inputs", i, "name"], message: `duplicate input name "${t.name}"` });
    names.add(t.name);
    const expected = shapeElements(t.shape);
    total += expected;
    if (total > maxElements) {
      issues.push({ path: ["inputs", i, "shape"], message: `the inputs hold more than ${maxElements} elements in all` });
      return;
    }
    const { count, problem } = walk(t.data, t.datatype, expected);
    if (problem !== undefined) issues.push({ path: ["inputs", i, "data"], message: problem });
    else if (count !== expected)
      issues.push({
        path: ["inputs", i, "data"],
        message: `shape [${t.shape.join(", ")}] needs ${expected} elements, data has ${count > expected ? "more" : count}`,
      });
  });
  return issues;
}
