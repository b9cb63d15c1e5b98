// OpenAI-compatible endpoints: the model list and embeddings (fastText sentence vectors of lid.176, 16 dimensions).
import { Hono } from "hono";
import type { LanguageModel } from "../models/fasttext.ts";
import { countTokens } from "../models/tokens.ts";
import { jsonAnswer, passFault, type ServerDeps, type ServerEnv } from "../tracking.ts";
import { zodMessage } from "../zod-message.ts";
import { embeddingsRequest, openaiError } from "./schemas.ts";

export const EMBED_MODEL = "lang-id-embed";
export const CHAT_MODEL = "echo-chat";
// Fixed, so the list is the same across restarts (2024-01-01T00:00:00Z).
const CREATED = 1704067200;

const base64Of = (v: Float32Array) => Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("base64");

export function openaiRoutes(deps: ServerDeps, language: LanguageModel): Hono<ServerEnv> {
  const app = new Hono<ServerEnv>();
  const listed = [EMBED_MODEL, CHAT_MODEL].map((id) => ({ id, object: "model", created: CREATED, owned_by: "model-server" }));

  // Also the readiness check OpenAI-protocol clients use: not-ready answers 503 here.
  app.get("/v1/models", async (c) => {
    const gate = await passFault(c, deps, { kind: "readiness" }, openaiError);
    return "answer" in gate ? gate.answer : jsonAnswer(c, deps.stats, { object: "list", data: listed }, 200, gate.fault);
  });
  app.get("/v1/models/:model", (c) => {
    const m = listed.find((x) => x.id === c.req.param("model"));
    return m ? c.json(m) : c.json(openaiError(`The model '${c.req.param("model")}' does not exist`, 404), 404);
  });

  app.post("/v1/embeddings", async (c) => {
    const parsed = embeddingsRequest.safeParse(await c.req.json().catch(() => undefined));
    if (!parsed.success) return c.json(openaiError(zodMessage(parsed.error), 400), 400);
    const req = parsed.data;
    if (req.model !== EMBED_MODEL) return c.json(openaiError(`The model '${req.model}' does not exist`, 404), 404);
    const gate = await passFault(c, deps, { kind: "inference", model: req.model }, openaiError);
    if ("answer" in gate) return gate.answer;
    const inputs = typeof req.input === "string" ? [req.input] : req.input;
    let tokens = 0;
    const data = inputs.map((text, index) => {
      tokens += countTokens(text);
      const v = language.sentenceVector(text);
      return { object: "embedding", index, embedding: req.encoding_format === "base64" ? base64Of(v) : Array.from(v) };
    });
    const usage = gate.fault?.fault === "no-usage" ? {} : { usage: { prompt_tokens: tokens, total_tokens: tokens } };
    const body = { object: "list", data, model: EMBED_MODEL, ...usage };
    return jsonAnswer(c, deps.stats, body, 200, gate.fault);
  });
  return app;
}
