// The common infer body recognised without zod, for the hot path: a yes means InferRequest accepts it as it is.
//
// zod walks its schema generically for every request, and at c=1 it was one of the largest steps of the service's own
// work on an infer call (decode, parse, validate: 9.6-15.8 us of 57-79, stage marks on a 2-core machine; 4.8-5.4 us
// with this check). This checks the body most clients send (an id and inputs of name, shape, datatype and data)
// directly, no more leniently than the schema; any other body, and any body this says no to, goes through the schema,
// which names the problem. Its test holds the two to that over generated bodies: whatever this accepts, the schema
// accepts and returns unchanged.
import { SCHEMA_MAX_ELEMENTS } from "./schemas.ts";
import { DATATYPES, type TensorInput, tensorIssues } from "./validate.ts";

export interface PlainInferRequest {
  id?: string;
  inputs: TensorInput[];
}

const DATATYPE_SET: ReadonlySet<string> = new Set(DATATYPES);
const MAX_NAME = 256;
const MAX_INPUTS = 1_024;
const MAX_DIMENSIONS = 16;

function isPlainTensor(t: unknown): boolean {
  if (typeof t !== "object" || t === null || Array.isArray(t)) return false;
  for (const k in t) if (k !== "name" && k !== "shape" && k !== "datatype" && k !== "data") return false;
  const { name, shape, datatype, data } = t as Record<string, unknown>;
  if (typeof name !== "string" || name.length < 1 || name.length > MAX_NAME) return false;
  if (typeof datatype !== "string" || !DATATYPE_SET.has(datatype) || !Array.isArray(data)) return false;
  if (!Array.isArray(shape) || shape.length > MAX_DIMENSIONS) return false;
  for (const d of shape) if (!Number.isSafeInteger(d) || d < 0) return false;
  return true;
}

/** True only for a body InferRequest accepts and returns unchanged (no parameters, outputs or unknown keys). */
export function isPlainInferRequest(value: unknown): value is PlainInferRequest {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  let inputs: unknown;
  for (const k in value) {
    const v = (value as Record<string, unknown>)[k];
    if (k === "inputs") inputs = v;
    else if (k !== "id" || typeof v !== "string" || v.length > MAX_NAME) return false;
  }
  if (!Array.isArray(inputs) || inputs.length < 1 || inputs.length > MAX_INPUTS) return false;
  for (const t of inputs) if (!isPlainTensor(t)) return false;
  return tensorIssues(inputs as TensorInput[], SCHEMA_MAX_ELEMENTS).length === 0;
}
