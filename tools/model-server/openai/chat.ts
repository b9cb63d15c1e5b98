// POST /v1/chat/completions for `echo-chat`: a full completion, or an SSE stream at the configured cadence.
import { Hono } from "hono";
import { chunkedBody } from "../faults/answer.ts";
import { planReply } from "../models/echo-chat.ts";
import { countChatTokens } from "../models/tokens.ts";
import { jsonAnswer, passFault, type ServerDeps, type ServerEnv } from "../tracking.ts";
import { zodMessage } from "../zod-message.ts";
import { CHAT_MODEL } from "./routes.ts";
import { type ChatRequest, chatRequest, openaiError, textOf } from "./schemas.ts";

export interface ChatSettings {
  /** Milliseconds between stream chunks; the header x-model-server-cadence-ms overrides it per request. */
  cadenceMs: number;
  /** Reply length in tokens (= content chunks); unset: an echo of the last user message. Header: x-model-server-chunks. */
  chunks?: number | undefined;
}

const CADENCE_HEADER = "x-model-server-cadence-ms";
const CHUNKS_HEADER = "x-model-server-chunks";

function headerInt(headers: Headers, name: string, max: number): number | undefined | Error {
  const raw = headers.get(name);
  if (raw === null) return undefined;
  const n = Number(raw);
  return Number.isInteger(n) && n >= 0 && n <= max ? n : new Error(`${name} must be an integer from 0 to ${max}`);
}

/** `usage` undefined: the no-usage fault, a backend that ignores include_usage. */
function* sseEvents(req: ChatRequest, pieces: string[], finishReason: string, usage: object | undefined, id: string, created: number): Generator<string> {
  const includeUsage = req.stream_options?.include_usage === true && usage !== undefined;
  // With include_usage, OpenAI sends "usage": null on every chunk, then one chunk with empty choices and the usage.
  const extra = includeUsage ? { usage: null } : {};
  const chunk = (delta: object, finish: string | null) =>
    `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model: CHAT_MODEL, system_fingerprint: null, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...extra })}\n\n`;
  yield chunk({ role: "assistant", content: "", refusal: null }, null);
  for (const content of pieces) yield chunk({ content }, null);
  yield chunk({}, finishReason);
  if (includeUsage)
    yield `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model: CHAT_MODEL, system_fingerprint: null, choices: [], usage })}\n\n`;
  yield "data: [DONE]\n\n";
}

export function chatRoutes(deps: ServerDeps, settings: ChatSettings): Hono<ServerEnv> {
  const app = new Hono<ServerEnv>();
  app.post("/v1/chat/completions", async (c) => {
    const parsed = chatRequest.safeParse(await c.req.json().catch(() => undefined));
    if (!parsed.success) return c.json(openaiError(zodMessage(parsed.error), 400), 400);
    const req = parsed.data;
    if (req.model !== CHAT_MODEL) return c.json(openaiError(`The model '${req.model}' does not exist`, 404), 404);
    const cadence = headerInt(c.req.raw.headers, CADENCE_HEADER, 60_000) ?? settings.cadenceMs;
    const length = headerInt(c.req.raw.headers, CHUNKS_HEADER, 1_000_000) ?? settings.chunks;
    for (const v of [cadence, length]) if (v instanceof Error) return c.json(openaiError(v.message, 400), 400);
    const gate = await passFault(c, deps, { kind: "inference", model: req.model }, openaiError);
    if ("answer" in gate) return gate.answer;
    const { fault } = gate;

    const messages = req.messages.map((m) => ({ role: m.role, content: textOf(m) }));
    const lastUser = messages.findLast((m) => m.role === "user")?.content ?? "";
    const maxTokens = req.max_completion_tokens ?? req.max_tokens ?? undefined;
    const plan = planReply(lastUser, { length: length as number | undefined, maxTokens });
    const promptTokens = countChatTokens(messages);
    // The no-usage fault plays a backend that reports no usage at all (the caller then has to estimate).
    const usage =
      fault?.fault === "no-usage"
        ? undefined
        : { prompt_tokens: promptTokens, completion_tokens: plan.pieces.length, total_tokens: promptTokens + plan.pieces.length };
    const id = `chatcmpl-${crypto.randomUUID().replaceAll("-", "")}`;
    const created = Math.floor(Date.now() / 1000);

    if (req.stream !== true) {
      const body = {
        id,
        object: "chat.completion",
        created,
        model: CHAT_MODEL,
        system_fingerprint: null,
        choices: [{ index: 0, message: { role: "assistant", content: plan.pieces.join(""), refusal: null }, logprobs: null, finish_reason: plan.finishReason }],
        ...(usage ? { usage } : {}),
      };
      return jsonAnswer(c, deps.stats, body, 200, fault);
    }
    const events = sseEvents(req, plan.pieces, plan.finishReason, usage, id, created);
    const body = chunkedBody(events, { gapMs: cadence as number, fault, prefix: ": slow first byte\n\n", stats: deps.stats, rec: c.get("rec") });
    return new Response(body, { headers: { "content-type": "text/event-stream", "cache-control": "no-cache", "x-accel-buffering": "no" } });
  });
  return app;
}
