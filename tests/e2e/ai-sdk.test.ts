// Vercel's AI SDK (ai + @ai-sdk/openai-compatible) as the client, the way TypeScript teams build chat features: through
// the gateway it gets what it gets from the model server directly, and a stream that fails mid-way is retried by it.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { APICallError, embedMany, generateText, streamText, type TextStreamPart, type ToolSet } from "ai";
import { type InferenceStack, startInferenceStack } from "./inference-stack.ts";

const PROMPT = "Tell me about the inference gateway, token by token.";
type Provider = ReturnType<typeof createOpenAICompatible>;

/** The parts of a streamText call, and its text and usage once over. */
async function streamed(model: Provider, opts: { streamRetries?: number } = {}) {
  const result = streamText({ model: model.chatModel("echo-chat"), prompt: PROMPT, maxOutputTokens: 20, maxRetries: 0, ...opts });
  const parts: TextStreamPart<ToolSet>[] = [];
  for await (const part of result.fullStream) parts.push(part);
  return { parts, text: await result.text, usage: await result.usage };
}

describe("Vercel's AI SDK → gateway → inference → model server (processes)", () => {
  let stack: InferenceStack;
  let viaGateway: Provider;
  let direct: Provider;

  beforeAll(async () => {
    stack = await startInferenceStack();
    // The provider sends its apiKey as the bearer token: here the user's JWT. includeUsage asks streams for usage.
    viaGateway = createOpenAICompatible({
      name: "platform",
      baseURL: `${stack.gateway.url}/v1`,
      apiKey: stack.userToken("inference:invoke"),
      includeUsage: true,
    });
    direct = createOpenAICompatible({ name: "platform", baseURL: `${stack.models.url}/v1`, apiKey: "unused", includeUsage: true });
  }, 90_000);

  afterAll(async () => {
    await stack?.stop();
  });

  test("generateText: the text, finish reason and usage equal the model server's", async () => {
    const call = (p: Provider) => generateText({ model: p.chatModel("echo-chat"), prompt: PROMPT, maxOutputTokens: 12, maxRetries: 0 });
    const [d, g] = await Promise.all([call(direct), call(viaGateway)]);
    expect(g.text.length).toBeGreaterThan(0);
    expect(g.text).toBe(d.text);
    expect(g.finishReason).toBe(d.finishReason);
    expect(g.usage.outputTokens).toBeGreaterThan(0);
    expect(g.usage).toEqual(d.usage);
  });

  test("streamText: the same deltas, ending in finish, and the model server's usage", async () => {
    const [d, g] = await Promise.all([streamed(direct), streamed(viaGateway)]);
    const deltas = (parts: TextStreamPart<ToolSet>[]) => parts.flatMap((p) => (p.type === "text-delta" ? [p.text] : []));
    expect(deltas(g.parts).length).toBeGreaterThan(3);
    expect(deltas(g.parts)).toEqual(deltas(d.parts));
    expect(g.parts.some((p) => p.type === "error")).toBe(false);
    expect(g.parts.at(-1)?.type).toBe("finish");
    expect(g.usage.outputTokens).toBeGreaterThan(0);
    expect(g.usage).toEqual(d.usage);
  });

  test("embedMany: the model server's vectors and usage", async () => {
    const values = ["Bonjour tout le monde", "Guten Morgen"];
    const call = (p: Provider) => embedMany({ model: p.embeddingModel("lang-id-embed"), values, maxRetries: 0 });
    const [d, g] = await Promise.all([call(direct), call(viaGateway)]);
    expect(g.embeddings).toHaveLength(2);
    expect(g.embeddings[0]?.length).toBeGreaterThan(10);
    expect(g.embeddings).toEqual(d.embeddings);
    expect(g.usage).toEqual(d.usage);
  });

  test("refusals reach it as APICallError with the status and the platform's detail", async () => {
    const unknown = await generateText({ model: viaGateway.chatModel("no-such-model"), prompt: PROMPT, maxRetries: 0 }).catch((e: unknown) => e);
    expect(APICallError.isInstance(unknown)).toBe(true);
    expect((unknown as APICallError).statusCode).toBe(404);
    expect((unknown as APICallError).message).toContain("no-such-model");
    expect((unknown as APICallError).isRetryable).toBe(false);

    const anonymous = createOpenAICompatible({ name: "platform", baseURL: `${stack.gateway.url}/v1`, apiKey: "not-a-token" });
    const unauthorized = await embedMany({ model: anonymous.embeddingModel("lang-id-embed"), values: ["x"], maxRetries: 0 }).catch((e: unknown) => e);
    expect((unauthorized as APICallError).statusCode).toBe(401);
    expect((unauthorized as APICallError).message).toBe("The access token is invalid or expired.");
  });

  test("a model server dying mid-stream: an error part with the stream's code and detail after the deltas that came", async () => {
    await stack.models.setFault({ fault: "die", afterChunks: 3, model: "echo-chat", count: 1 });
    const { parts } = await streamed(viaGateway);
    const error = parts.find((p) => p.type === "error")?.error as { code?: string; message?: string } | undefined;
    expect(error?.code).toBe("backend_error");
    expect(error?.message).toBe("echo-chat: the model server broke off its answer.");
    expect(parts.filter((p) => p.type === "text-delta").length).toBeGreaterThan(0);
    expect(parts.findIndex((p) => p.type === "error")).toBeGreaterThan(parts.findLastIndex((p) => p.type === "text-delta"));
  });

  test("with streamRetries, the SDK sends a stream that died mid-way again and gets the whole answer", async () => {
    const whole = await streamed(direct);
    await stack.models.resetStats();
    await stack.models.setFault({ fault: "die", afterChunks: 3, model: "echo-chat", count: 1 });
    const retried = await streamed(viaGateway, { streamRetries: 1 });
    expect(retried.text).toBe(whole.text);
    expect(retried.usage).toEqual(whole.usage);
    expect(retried.parts.some((p) => p.type === "error")).toBe(false);
    // Two calls reached the model server: the one that died and the retry.
    expect((await stack.models.stats()).requests["POST /v1/chat/completions"]).toBe(2);
  });
});
