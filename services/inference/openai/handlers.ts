// Registers /v1/chat/completions and /v1/embeddings: route by the body's model, forward, stream events through or answer whole.
import type { OpenAPIHono, z } from "@hono/zod-openapi";
import type { InternalTokenVerifier } from "../../../lib/auth/internal-token.ts";
import { requireInternalAuth, requireScope } from "../../../lib/auth/middleware.ts";
import { AppError } from "../../../lib/http/app-error.ts";
import type { ModelPool, Pools } from "../backends/pool.ts";
import { backendFailure, readAnswer } from "../forward/answer.ts";
import { BodyWatch } from "../forward/body-watch.ts";
import { endFailure } from "../forward/call.ts";
import { dispatch } from "../forward/dispatch.ts";
import { type CallDeps, type CallScope, modelCall } from "../forward/model-call.ts";
import { eventStreamResponse, jsonResponse } from "../forward/respond.ts";
import type { UsageSession } from "../hooks.ts";
import { type CallRequest, honoCallRequest } from "../http/call-request.ts";
import type { HotMatch, HotRoute } from "../http/hot-path.ts";
import type { InferenceEnv } from "../http/inference-env.ts";
import { modelNotFound } from "../http/model-path.ts";
import { readBody } from "../http/read-body.ts";
import { isPlainChatRequest } from "./plain-chat-request.ts";
import { openAiRoutes } from "./routes.ts";
import { ChatCompletionRequest, EmbeddingsRequest } from "./schemas.ts";
import { ssePassthrough } from "./sse-passthrough.ts";

export interface OpenAiDeps extends CallDeps {
  pools: Pools;
  verifyToken: InternalTokenVerifier;
}

export type Kind = "chat" | "embeddings";
const PATH: Record<Kind, string> = { chat: "/v1/chat/completions", embeddings: "/v1/embeddings" };
export type OpenAiBody = Record<string, unknown> & { model: string; stream?: boolean };

export function registerOpenAiRoutes(app: OpenAPIHono<InferenceEnv>, deps: OpenAiDeps): void {
  const largest = Math.max(...[...deps.pools.values()].map((p) => p.spec.limits.maxRequestBytes));
  const routes = openAiRoutes({
    auth: [requireInternalAuth(deps.verifyToken, "inference"), requireScope("inference:invoke")] as never,
    body: readBody(() => largest) as never,
  });

  const handle = async (c: Parameters<Parameters<typeof app.openapi>[1]>[0], kind: Kind, body: OpenAiBody) =>
    forwardOpenAi(deps, honoCallRequest(c as never), {
      kind,
      body,
      text: await c.req.text(),
      bodyBytes: c.get("bodyBytes"),
      caller: c.get("principal").subject,
    });

  app.openapi(routes.chat, (c) => handle(c as never, "chat", c.req.valid("json") as OpenAiBody) as never);
  app.openapi(routes.embeddings, (c) => handle(c as never, "embeddings", c.req.valid("json") as OpenAiBody) as never);
}

/** The two routes' hot-path twins (http/hot-path.ts): the body names the model, the largest cap applies until it is known. */
export function openAiHotRoutes(deps: CallDeps & { pools: Pools }): HotRoute[] {
  const largest = Math.max(...[...deps.pools.values()].map((p) => p.spec.limits.maxRequestBytes));
  const route = (kind: Kind, schema: z.ZodType<OpenAiBody>, plain?: (value: unknown) => value is OpenAiBody): HotRoute => {
    const match: HotMatch<OpenAiBody> = {
      limit: largest,
      serve: (r, input) => forwardOpenAi(deps, r, { kind, body: input.data, text: input.text, bodyBytes: input.bytes, caller: input.caller }),
    };
    const path = PATH[kind];
    return { template: path, schema, plain, openAi: true, match: (p) => (p === path ? match : undefined) } as HotRoute<unknown>;
  };
  return [route("chat", ChatCompletionRequest as never, isPlainChatRequest), route("embeddings", EmbeddingsRequest as never)];
}

export interface OpenAiCall {
  kind: Kind;
  /** The validated body, and the text it was parsed from (forwarded as is when nothing changes). */
  body: OpenAiBody;
  text: string;
  bodyBytes: number;
  /** The principal's subject: whose token budget is charged. */
  caller: string;
}

/** A validated OpenAI call routed by its body's model: budget, admission, dispatch, then the stream or the whole answer. */
export async function forwardOpenAi(deps: CallDeps & { pools: Pools }, r: CallRequest, input: OpenAiCall): Promise<Response> {
  const { kind, body, text } = input;
  const pool = deps.pools.get(body.model);
  if (pool === undefined || pool.spec.protocol !== "openai") throw modelNotFound(body.model, "openai");
  const limit = pool.spec.limits.maxRequestBytes;
  if (input.bodyBytes > limit) throw new AppError("payload_too_large", { detail: `Request body exceeds ${limit} bytes for this model.` });
  const stream = kind === "chat" && body.stream === true;
  // The budget first: a caller over it is refused before taking a place in the model's queue.
  const usage = await deps.hooks.openaiUsage?.({ model: pool.spec, operation: kind, caller: input.caller, body, stream });
  const maxTokens = typeof body.max_tokens === "number" ? body.max_tokens : undefined;
  return await modelCall(
    deps,
    r,
    pool,
    kind,
    async (scope) => {
      const sent = usage?.body ?? body;
      const d = await dispatch(
        pool,
        {
          method: "POST",
          path: () => PATH[kind],
          // The original bytes when nothing changes; the backend's own model name otherwise.
          body: (b) => (sent === body && b.spec.model === body.model ? text : JSON.stringify({ ...sent, model: b.spec.model })),
          accept: stream ? "text/event-stream" : "application/json",
          stream,
          ...scope.ids,
        },
        scope.call,
        scope.dispatchHooks,
      );
      if (stream && d.res.ok && (d.res.headers.get("content-type") ?? "").startsWith("text/event-stream") && d.res.body) {
        return await startStream(pool, scope, d.res.body, d.release, usage);
      }
      const answer = await readAnswer(d, pool, scope.call);
      if (answer.status >= 400) throw backendFailure(answer, pool.spec.name);
      const out = usage?.answer ? usage.answer(answer.bytes) : answer.bytes;
      return jsonResponse(out, scope.ids.requestId, 200, answer.contentType, usage?.headers);
    },
    { usage, maxTokens },
  );
}

/**
 * Waits for the first chunk before answering 200, so a backend that fails before sending anything still gets a proper
 * problem; from then on the stream owns the call's ending (limiter slot, metrics, usage settlement, access log).
 */
async function startStream(
  pool: ModelPool,
  scope: CallScope,
  body: ReadableStream<Uint8Array>,
  release: () => void,
  usage: UsageSession | undefined,
): Promise<Response> {
  const { limits, name } = pool.spec;
  const watch = new BodyWatch(body, limits.idleTimeoutMs, scope.call, name);
  let first: Uint8Array | undefined;
  try {
    first = await watch.read();
  } catch (err) {
    release();
    throw err;
  }
  scope.firstToken();
  const finish = scope.deferEnd();
  const stream = ssePassthrough(first, watch, {
    model: name,
    maxLineBytes: limits.maxSseLineBytes,
    maxBytes: limits.maxResponseBytes,
    tap: usage?.tap,
    lineTooLong: (n) => new AppError("backend_error", { detail: `${name}: a line of the model server's event stream exceeds ${n} bytes.` }),
    tooLarge: (n) => new AppError("backend_response_too_large", { detail: `${name}: the model server's stream exceeds ${n} bytes.` }),
    truncated: () => new AppError("backend_error", { detail: `${name}: the model server's stream ended before [DONE].` }),
    onEnd: ({ ok, failure }) => {
      release();
      finish(ok ? undefined : (failure ?? endFailure("client", limits.totalTimeoutMs)));
    },
  });
  return eventStreamResponse(stream, scope.ids.requestId, usage?.headers);
}
