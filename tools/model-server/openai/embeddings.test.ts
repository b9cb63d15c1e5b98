// OpenAI /v1/models and /v1/embeddings over real HTTP: 16-dim deterministic vectors, true token usage, error objects.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { encode } from "gpt-tokenizer";
import { startTestModelServer, type TestModelServer } from "../testing/start.ts";

let server: TestModelServer;
beforeAll(async () => {
  server = await startTestModelServer();
});
afterAll(() => server.stop());

const embed = (body: unknown) =>
  fetch(`${server.url}/v1/embeddings`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
const cosine = (a: number[], b: number[]) => {
  let dot = 0;
  let na = 0;
  let nb = 0;
  a.forEach((x, i) => {
    const y = b[i] as number;
    dot += x * y;
    na += x * x;
    nb += y * y;
  });
  return dot / Math.sqrt(na * nb);
};

describe("/v1/models", () => {
  test("lists the OpenAI-protocol models", async () => {
    const body = await (await fetch(`${server.url}/v1/models`)).json();
    expect(body.object).toBe("list");
    expect(body.data.map((m: { id: string }) => m.id)).toEqual(["lang-id-embed", "echo-chat"]);
    expect(body.data[0]).toEqual({ id: "lang-id-embed", object: "model", created: 1704067200, owned_by: "model-server" });
    expect((await fetch(`${server.url}/v1/models/echo-chat`)).status).toBe(200);
    expect((await fetch(`${server.url}/v1/models/lang-id`)).status).toBe(404);
  });
});

describe("/v1/embeddings", () => {
  const texts = ["The cat sits on the mat.", "Le chat est assis sur le tapis.", "Der Hund schläft im Garten."];

  test("16-dimensional vectors, one per input in order, with true token usage", async () => {
    const res = await embed({ model: "lang-id-embed", input: texts });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.object).toBe("list");
    expect(body.model).toBe("lang-id-embed");
    expect(body.data.map((d: { index: number; object: string }) => [d.index, d.object])).toEqual([
      [0, "embedding"],
      [1, "embedding"],
      [2, "embedding"],
    ]);
    for (const d of body.data) {
      expect(d.embedding.length).toBe(16);
      expect(d.embedding.every((x: unknown) => typeof x === "number" && Number.isFinite(x))).toBe(true);
    }
    const tokens = texts.reduce((n, t) => n + encode(t).length, 0);
    expect(body.usage).toEqual({ prompt_tokens: tokens, total_tokens: tokens });
    // Different sentences give different vectors.
    expect(cosine(body.data[0].embedding, body.data[2].embedding)).toBeLessThan(0.999);
  });

  test("deterministic: the same text gives the same vector, alone or in a batch; base64 carries the same floats", async () => {
    const single = (await (await embed({ model: "lang-id-embed", input: texts[1] })).json()).data[0].embedding;
    const batch = (await (await embed({ model: "lang-id-embed", input: texts })).json()).data[1].embedding;
    expect(single).toEqual(batch);
    const b64 = (await (await embed({ model: "lang-id-embed", input: texts[1], encoding_format: "base64" })).json()).data[0].embedding;
    const bytes = Buffer.from(b64, "base64");
    expect(Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4))).toEqual(single);
  });

  test("errors are OpenAI error objects: unknown model 404, bad input 400", async () => {
    const unknown = await embed({ model: "text-embedding-3-small", input: "x" });
    expect(unknown.status).toBe(404);
    const e = (await unknown.json()).error;
    expect(e.type).toBe("invalid_request_error");
    expect(e.code).toBe("model_not_found");
    expect(e.message).toContain("text-embedding-3-small");
    for (const body of [{ model: "lang-id-embed" }, { model: "lang-id-embed", input: [1, 2] }, { model: "lang-id-embed", input: [] }, { input: "x" }]) {
      const res = await embed(body);
      expect(res.status).toBe(400);
      const err = (await res.json()).error;
      expect(err.type).toBe("invalid_request_error");
      expect(typeof err.message).toBe("string");
    }
  });
});
