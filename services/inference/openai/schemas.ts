// OpenAI-compatible bodies for /v1/chat/completions and /v1/embeddings: what the service reads (model, stream), the rest passed on.
import { z } from "@hono/zod-openapi";

const modelName = z.string().min(1).max(256).openapi({ description: "A model from GET /v1/models with protocol `openai`", example: "echo-chat" });

export const ChatCompletionRequest = z
  .looseObject({
    model: modelName,
    messages: z.array(z.looseObject({ role: z.string() })).min(1),
    stream: z.boolean().optional().openapi({ description: "true: Server-Sent Events, chunk by chunk, ending in `data: [DONE]`" }),
    max_tokens: z.number().int().min(1).optional(),
  })
  .openapi("ChatCompletionRequest", { description: "An OpenAI chat completion request; fields other than model and stream go to the model server as sent" });

export const ChatCompletion = z
  .looseObject({
    id: z.string(),
    object: z.string(),
    created: z.number().int().optional(),
    model: z.string(),
    choices: z.array(z.looseObject({ index: z.number().int() })),
    usage: z.looseObject({ prompt_tokens: z.number().int(), completion_tokens: z.number().int(), total_tokens: z.number().int() }).optional(),
  })
  .openapi("ChatCompletion");

export const EmbeddingsRequest = z
  .looseObject({
    model: modelName,
    input: z.union([z.string(), z.array(z.string()), z.array(z.number().int()), z.array(z.array(z.number().int()))]),
  })
  .openapi("EmbeddingsRequest");

export const Embeddings = z
  .looseObject({
    object: z.string(),
    data: z.array(z.looseObject({ object: z.string(), index: z.number().int(), embedding: z.union([z.array(z.number()), z.string()]) })),
    model: z.string(),
  })
  .openapi("Embeddings");

export const EventStream = z.string().openapi({
  description:
    "Server-Sent Events: `data: <chat.completion.chunk JSON>` per chunk, then `data: [DONE]`. A failure mid-stream ends it with " +
    '`data: {"error": {"message", "type": "server_error", "param": null, "code": <problem code>}}` instead.',
});
