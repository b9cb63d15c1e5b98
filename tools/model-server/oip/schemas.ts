// Open Inference Protocol v2 (KServe / Triton) REST bodies: the inference request and the shapes of the answers.
import { z } from "zod";

export const DATATYPES = ["BOOL", "UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16", "INT32", "INT64", "FP16", "FP32", "FP64", "BYTES"] as const;
export type Datatype = (typeof DATATYPES)[number];

const parameters = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));

export const requestInput = z.object({
  name: z.string(),
  shape: z.array(z.number().int().min(0)),
  datatype: z.enum(DATATYPES),
  parameters: parameters.optional(),
  // Flat (row-major) or nested as the shape: both are allowed by the protocol.
  data: z.array(z.unknown()),
});

export const inferRequest = z.object({
  id: z.string().optional(),
  parameters: parameters.optional(),
  inputs: z.array(requestInput).min(1),
  outputs: z.array(z.object({ name: z.string(), parameters: parameters.optional() })).optional(),
});
export type InferRequest = z.infer<typeof inferRequest>;

/** A tensor as model metadata describes it (-1: any size). */
export interface MetadataTensor {
  name: string;
  datatype: Datatype;
  shape: number[];
}

export interface OutputTensor {
  name: string;
  datatype: Datatype;
  shape: number[];
  data: (string | number)[];
}

export interface InferResponse {
  model_name: string;
  model_version: string;
  id?: string;
  outputs: OutputTensor[];
}
