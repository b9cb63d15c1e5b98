// OpenAI's own Node SDK (openai on npm) as the client: through the gateway it gets what it gets from the model server
// directly, and the platform's refusals and failures reach it as errors with their code and detail.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import OpenAI, { APIError } from "openai";
import { type InferenceStack, startInferenceStack } from "./inference-stack.ts";

const MESSAGES = [{ role: "user" as const, content: "Tell me about the inference gateway, token by token." }];

describe("OpenAI's SDK → gateway → inference → model server (processes)", () => {
  let stack: InferenceStack;
  let viaGateway: OpenAI;
  let direct: OpenAI;

  beforeAll(async () => {
    stack = await startInferenceStack();
    // The SDK sends its apiKey as the bearer token: here the user's JWT. No retries: each call is one request.
    viaGateway = new OpenAI({ baseURL: `${stack.gateway.url}/v1`, apiKey: stack.userToken("inference:invoke"), maxRetries: 0 });
    direct = new OpenAI({ baseURL: `${stack.models.url}/v1`, apiKey: "unused", maxRetries: 0 });
  }, 90_000);

  afterAll(async () => {
    await stack?.stop();
  });

  test("models.list() reads the registry: every development model, by id", async () => {
    const ids: string[] = [];
    for await (const m of viaGateway.models.list()) ids.push(m.id);
    expect(ids.sort()).toEqual(["echo-chat", "lang-id", "lang-id-embed", "sentiment"]);
  });

  test("chat.completions.create: the message and usage equal the model server's", async () => {
    const body = { model: "echo-chat", messages: MESSAGES, max_tokens: 12 };
    const [d, g] = await Promise.all([direct.chat.completions.create(body), viaGateway.chat.completions.create(body)]);
    expect(g.choices[0]?.message.content).toBe(d.choices[0]?.message.content as string);
    expect(g.choices[0]?.message.content?.length).toBeGreaterThan(0);
    expect(String(g.choices[0]?.finish_reason)).toBe(String(d.choices[0]?.finish_reason));
    expect(g.usage).toEqual(d.usage as OpenAI.CompletionUsage);
  });

  test("a stream read with the SDK's iterator: the same deltas, and with include_usage the model server's usage last", async () => {
    const body = { model: "echo-chat", messages: MESSAGES, max_tokens: 20, stream: true as const, stream_options: { include_usage: true } };
    const read = async (client: OpenAI) => {
      const chunks: OpenAI.ChatCompletionChunk[] = [];
      for await (const chunk of await client.chat.completions.create(body)) chunks.push(chunk);
      return chunks;
    };
    const [d, g] = await Promise.all([read(direct), read(viaGateway)]);
    const text = (cs: OpenAI.ChatCompletionChunk[]) => cs.map((c) => c.choices[0]?.delta.content ?? "").join("");
    expect(g.length).toBe(d.length);
    expect(text(g)).toBe(text(d));
    expect(text(g).length).toBeGreaterThan(0);
    expect(g.at(-1)?.choices).toEqual([]);
    expect(g.at(-1)?.usage).toEqual(d.at(-1)?.usage as OpenAI.CompletionUsage);
    expect(g.at(-1)?.usage?.completion_tokens).toBeGreaterThan(0);
  });

  test("a stream without include_usage: no usage chunk reaches the SDK (inference asked for one upstream, and strips it)", async () => {
    const body = { model: "echo-chat", messages: MESSAGES, max_tokens: 8, stream: true as const };
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of await viaGateway.chat.completions.create(body)) chunks.push(chunk);
    const direct8: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of await direct.chat.completions.create(body)) direct8.push(chunk);
    expect(chunks.length).toBe(direct8.length);
    expect(chunks.every((c) => c.choices.length > 0 && !c.usage)).toBe(true);
  });

  test("embeddings.create with the SDK's default (base64, decoded by the SDK) and with float: the model server's vectors", async () => {
    const input = ["Bonjour tout le monde", "Guten Morgen"];
    const [d, g, gFloat] = await Promise.all([
      direct.embeddings.create({ model: "lang-id-embed", input }),
      viaGateway.embeddings.create({ model: "lang-id-embed", input }),
      viaGateway.embeddings.create({ model: "lang-id-embed", input, encoding_format: "float" }),
    ]);
    expect(g.data.length).toBe(2);
    expect(g.data[0]?.embedding.length).toBeGreaterThan(10);
    expect(g.data.map((e) => e.embedding)).toEqual(d.data.map((e) => e.embedding));
    // float arrives as JSON numbers (doubles), base64 as float32: equal to float32 precision.
    const gap = gFloat.data.flatMap((e, i) => e.embedding.map((v, k) => Math.abs(v - (g.data[i]?.embedding[k] as number))));
    expect(gap.length).toBe(g.data.length * (g.data[0]?.embedding.length ?? 0));
    expect(Math.max(...gap)).toBeLessThan(1e-6);
    expect(g.usage).toEqual(d.usage);
  });

  test("refusals reach the SDK as its error classes, with the platform's code and detail (not 'status code (no body)')", async () => {
    const unknown = await viaGateway.chat.completions.create({ model: "no-such-model", messages: MESSAGES }).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(OpenAI.NotFoundError);
    expect((unknown as APIError).code).toBe("model_not_found");
    expect((unknown as APIError).message).toContain("no-such-model");

    const invalid = await viaGateway.chat.completions.create({ model: "echo-chat", messages: [] }).catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(OpenAI.UnprocessableEntityError);
    expect((invalid as APIError).code).toBe("validation_failed");
    expect((invalid as APIError).param).toBe("body.messages");

    // Made by the gateway itself, before inference: the same member.
    const anonymous = new OpenAI({ baseURL: `${stack.gateway.url}/v1`, apiKey: "not-a-token", maxRetries: 0 });
    const unauthorized = await anonymous.embeddings.create({ model: "lang-id-embed", input: "x" }).catch((e: unknown) => e);
    expect(unauthorized).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((unauthorized as APIError).code).toBe("unauthorized");
    expect((unauthorized as APIError).requestID).toMatch(/./);
  });

  test("a model server dying mid-stream: the SDK's iterator throws the stream's error event after the chunks that came", async () => {
    await stack.models.setFault({ fault: "die", afterChunks: 3, model: "echo-chat", count: 1 });
    const got: string[] = [];
    const failure = await (async () => {
      const stream = await viaGateway.chat.completions.create({ model: "echo-chat", messages: MESSAGES, max_tokens: 50, stream: true });
      for await (const chunk of stream) got.push(chunk.choices[0]?.delta.content ?? "");
    })().catch((e: unknown) => e);
    await stack.models.clearFault();
    expect(failure).toBeInstanceOf(APIError);
    expect((failure as APIError).code).toBe("backend_error");
    expect((failure as APIError).message).toContain("echo-chat");
    expect(got.length).toBeGreaterThan(0);
    expect(got.length).toBeLessThan(50);
  });
});
