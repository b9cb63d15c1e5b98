// Route definitions of the OpenAI-compatible calls, routed by the body's `model` (contract only; handlers in handlers.ts).
import { createRoute } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { problemResponses } from "../../../lib/http/openapi-problems.ts";
import { NoQuery } from "../../../lib/http/query-params.ts";
import { CALL_ERRORS, security } from "../http/route-parts.ts";
import { ChatCompletion, ChatCompletionRequest, Embeddings, EmbeddingsRequest, EventStream } from "./schemas.ts";

export interface OpenAiMiddleware {
  auth: MiddlewareHandler[];
  body: MiddlewareHandler;
}

export const openAiRoutes = (m: OpenAiMiddleware) => ({
  chat: createRoute({
    method: "post",
    path: "/v1/chat/completions",
    operationId: "createChatCompletion",
    tags: ["openai"],
    summary: "Chat completion (OpenAI-compatible), optionally streamed",
    description:
      "Routed by `model` to one of its model servers. With `stream: true` the answer is Server-Sent Events passed through unbuffered; " +
      "once streaming began, a failure ends the stream with an error event (never a silent truncation).",
    security,
    middleware: [...m.auth, m.body] as const,
    request: { query: NoQuery, body: { required: true, content: { "application/json": { schema: ChatCompletionRequest } } } },
    responses: {
      200: {
        description: "The completion, or its event stream",
        content: { "application/json": { schema: ChatCompletion }, "text/event-stream": { schema: EventStream } },
      },
      ...problemResponses(...CALL_ERRORS),
    },
  }),

  embeddings: createRoute({
    method: "post",
    path: "/v1/embeddings",
    operationId: "createEmbeddings",
    tags: ["openai"],
    summary: "Embeddings (OpenAI-compatible)",
    security,
    middleware: [...m.auth, m.body] as const,
    request: { query: NoQuery, body: { required: true, content: { "application/json": { schema: EmbeddingsRequest } } } },
    responses: { 200: { description: "The embeddings", content: { "application/json": { schema: Embeddings } } }, ...problemResponses(...CALL_ERRORS) },
  }),
});
