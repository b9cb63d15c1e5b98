// Route definitions of the model registry and the Open Inference Protocol v2 calls (contract only; handlers in handlers.ts).
import { createRoute } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { problemResponses } from "../../../lib/http/openapi-problems.ts";
import { NoQuery } from "../../../lib/http/query-params.ts";
import { AUTH_ERRORS, BACKEND_ERRORS, CALL_ERRORS, security } from "../http/route-parts.ts";
import { InferRequest, InferResponse, ModelList, ModelMetadata, ModelParam, ModelReady } from "./schemas.ts";

export interface OipMiddleware {
  /** Internal token with scope inference:invoke. */
  auth: MiddlewareHandler[];
  /** Any registry model from the path / an OIP model only. */
  anyModel: MiddlewareHandler;
  oipModel: MiddlewareHandler;
  body: MiddlewareHandler;
}

const tags = ["models"];

export const oipRoutes = (m: OipMiddleware) => ({
  list: createRoute({
    method: "get",
    path: "/v1/models",
    operationId: "listModels",
    tags,
    summary: "List the models in the registry",
    description: "Every configured model: its name, protocol, readiness and limits. Readable by OpenAI clients (`object: list`, `data[].id`).",
    security,
    middleware: [...m.auth] as const,
    request: { query: NoQuery },
    responses: {
      200: { description: "The registry", content: { "application/json": { schema: ModelList } } },
      ...problemResponses("invalid_parameter", ...AUTH_ERRORS),
    },
  }),

  metadata: createRoute({
    method: "get",
    path: "/v1/models/{model}",
    operationId: "getModelMetadata",
    tags,
    summary: "A model's metadata, from its model server",
    security,
    middleware: [...m.auth, m.anyModel] as const,
    request: { params: ModelParam, query: NoQuery },
    responses: {
      200: { description: "The model server's metadata", content: { "application/json": { schema: ModelMetadata } } },
      ...problemResponses("invalid_parameter", ...AUTH_ERRORS, "model_not_found", ...BACKEND_ERRORS),
    },
  }),

  ready: createRoute({
    method: "get",
    path: "/v1/models/{model}/ready",
    operationId: "getModelReady",
    tags,
    summary: "Whether a model can take calls now",
    description: "Ready when one of its model servers passed its last readiness check and its circuit is not open (no call to a model server).",
    security,
    middleware: [...m.auth, m.anyModel] as const,
    request: { params: ModelParam, query: NoQuery },
    responses: {
      200: { description: "Ready", content: { "application/json": { schema: ModelReady } } },
      503: { description: "Not ready", content: { "application/json": { schema: ModelReady } } },
      ...problemResponses("invalid_parameter", ...AUTH_ERRORS, "model_not_found"),
    },
  }),

  infer: createRoute({
    method: "post",
    path: "/v1/models/{model}/infer",
    operationId: "infer",
    tags,
    summary: "Run an inference (Open Inference Protocol v2)",
    description:
      "Validated here (unique input names, datatypes, shapes against element counts, element types, the model's element and body caps), " +
      "then forwarded to a model server's `/v2/models/{name}/infer`. The request `id` is echoed.",
    security,
    middleware: [...m.auth, m.oipModel, m.body] as const,
    request: { params: ModelParam, query: NoQuery, body: { required: true, content: { "application/json": { schema: InferRequest } } } },
    responses: {
      200: { description: "The model's outputs", content: { "application/json": { schema: InferResponse } } },
      ...problemResponses(...CALL_ERRORS),
    },
  }),
});
