// Open Inference Protocol v2 bodies (KServe, Triton, MLServer) as zod schemas: the validation and the contract.
import { z } from "@hono/zod-openapi";
import { MODEL_NAME } from "../registry/registry-schema.ts";
import { DATATYPES, tensorIssues } from "./validate.ts";

/** Parameter values are strings, numbers or booleans, nothing nested (OIP §"Parameters"). */
export const Parameters = z
  .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
  .openapi("InferenceParameters", { description: "Free-form parameters: string, number or boolean values" });

const dimension = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export const InputTensor = z
  .object({
    name: z.string().min(1).max(256),
    shape: z.array(dimension).max(16),
    datatype: z.enum(DATATYPES),
    parameters: Parameters.optional(),
    data: z.array(z.unknown()).openapi({ description: "Elements in row-major order, flat or nested; BYTES as strings, BOOL as booleans" }),
  })
  .openapi("InferenceInputTensor");

/** The element cap the schema enforces for every model; a model's own (lower) cap is checked by the handler. */
export const SCHEMA_MAX_ELEMENTS = 1_000_000_000;

export const InferRequest = z
  .object({
    id: z.string().max(256).optional(),
    parameters: Parameters.optional(),
    inputs: z.array(InputTensor).min(1).max(1_024),
    outputs: z
      .array(z.object({ name: z.string().min(1).max(256), parameters: Parameters.optional() }))
      .max(1_024)
      .optional(),
  })
  .superRefine((req, ctx) => {
    for (const issue of tensorIssues(req.inputs, SCHEMA_MAX_ELEMENTS)) ctx.addIssue({ code: "custom", path: issue.path, message: issue.message });
  })
  .openapi("InferenceRequest", {
    description:
      "Besides the schema, each input tensor must agree with itself (422 validation_failed otherwise): input names are unique, " +
      "`data` holds exactly the product of `shape` elements, and each element fits `datatype` (BOOL booleans, BYTES strings, integers in range).",
  });

export const OutputTensor = z
  .looseObject({ name: z.string(), shape: z.array(z.number().int()), datatype: z.string(), parameters: Parameters.optional(), data: z.array(z.unknown()) })
  .openapi("InferenceOutputTensor");

export const InferResponse = z
  .looseObject({
    model_name: z.string(),
    model_version: z.string().optional(),
    id: z.string().optional(),
    parameters: Parameters.optional(),
    outputs: z.array(OutputTensor),
  })
  .openapi("InferenceResponse");

const TensorMetadata = z.looseObject({ name: z.string(), datatype: z.string(), shape: z.array(z.number().int()) });

export const ModelMetadata = z
  .looseObject({
    name: z.string(),
    versions: z.array(z.string()).optional(),
    platform: z.string().optional(),
    inputs: z.array(TensorMetadata).optional(),
    outputs: z.array(TensorMetadata).optional(),
  })
  .openapi("ModelMetadata", { description: "OIP models: the model server's metadata; OpenAI models: the server's model object (name added)" });

export const ModelReady = z.object({ name: z.string(), ready: z.boolean() }).openapi("ModelReady");

export const ModelLimitsView = z
  .object({
    connect_timeout_ms: z.number().int(),
    first_byte_timeout_ms: z.number().int(),
    idle_timeout_ms: z.number().int(),
    total_timeout_ms: z.number().int(),
    max_concurrency: z.number().int(),
    queue_size: z.number().int(),
    max_request_bytes: z.number().int(),
    max_response_bytes: z.number().int(),
  })
  .openapi("ModelLimits");

export const ModelEntry = z
  .object({
    id: z.string().openapi({ description: "The public model name (as OpenAI clients read it)" }),
    object: z.literal("model"),
    owned_by: z.string(),
    name: z.string(),
    protocol: z.enum(["oip-v2", "openai"]),
    ready: z.boolean().openapi({ description: "A backend passed its last readiness check and its circuit is not open" }),
    limits: ModelLimitsView,
  })
  .openapi("ModelEntry");

export const ModelList = z.object({ object: z.literal("list"), data: z.array(ModelEntry) }).openapi("ModelList");

export const ModelParam = z.object({
  model: z
    .string()
    .min(1)
    .max(128)
    .regex(MODEL_NAME)
    .openapi({ param: { name: "model", in: "path" }, description: "A model name from GET /v1/models, matched exactly", example: "lang-id" }),
});
