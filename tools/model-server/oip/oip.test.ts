// OIP v2 over real HTTP: health, metadata, lang-id and sentiment answers, and the protocol's 400/404 errors.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestModelServer, type TestModelServer } from "../testing/start.ts";

let server: TestModelServer;
beforeAll(async () => {
  server = await startTestModelServer();
});
afterAll(() => server.stop());

const infer = (model: string, body: unknown, path = `/v2/models/${model}/infer`) =>
  fetch(`${server.url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
const texts = (data: unknown[], shape = [data.length]) => ({ inputs: [{ name: "text", shape, datatype: "BYTES", data }] });

describe("health and metadata", () => {
  test("live and ready answer 200 with an empty body, server metadata names the server", async () => {
    for (const p of ["/v2/health/live", "/v2/health/ready", "/v2/models/lang-id/ready", "/v2/models/sentiment/versions/1/ready"]) {
      const res = await fetch(`${server.url}${p}`);
      expect([p, res.status, await res.text()]).toEqual([p, 200, ""]);
    }
    expect(await (await fetch(`${server.url}/v2`)).json()).toEqual({ name: "model-server", version: "1", extensions: [] });
  });

  test("model metadata lists name, versions, platform and tensors", async () => {
    const res = await fetch(`${server.url}/v2/models/lang-id`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      name: "lang-id",
      versions: ["1"],
      platform: "fasttext",
      inputs: [{ name: "text", datatype: "BYTES", shape: [-1] }],
      outputs: [
        { name: "label", datatype: "BYTES", shape: [-1] },
        { name: "probability", datatype: "FP32", shape: [-1] },
      ],
    });
    const sentiment = await (await fetch(`${server.url}/v2/models/sentiment/versions/1`)).json();
    expect(sentiment.outputs).toEqual([{ name: "score", datatype: "FP32", shape: [-1] }]);
  });

  test("unknown models and versions are 404 with an OIP error", async () => {
    for (const p of ["/v2/models/nope", "/v2/models/lang-id/versions/2", "/v2/models/nope/ready", "/v2/models/echo-chat"]) {
      const res = await fetch(`${server.url}${p}`);
      expect(res.status).toBe(404);
      expect(typeof (await res.json()).error).toBe("string");
    }
    const res = await infer("nope", texts(["hello"]));
    expect(res.status).toBe(404);
    expect((await res.json()).error).toContain("nope");
  });
});

describe("lang-id", () => {
  test("identifies English, French and German sentences, echoing the request id", async () => {
    const res = await infer("lang-id", {
      id: "req-42",
      ...texts([
        "The weather is lovely today and we are going to the beach.",
        "Je voudrais réserver une table pour deux personnes ce soir.",
        "Ich habe heute leider keine Zeit, vielleicht morgen.",
      ]),
    });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.model_name).toBe("lang-id");
    expect(body.model_version).toBe("1");
    expect(body.id).toBe("req-42");
    const [label, probability] = body.outputs;
    expect(label).toEqual({ name: "label", datatype: "BYTES", shape: [3], data: ["en", "fr", "de"] });
    expect(probability.name).toBe("probability");
    expect(probability.datatype).toBe("FP32");
    expect(probability.shape).toEqual([3]);
    for (const p of probability.data) expect(p).toBeGreaterThan(0.5);
  });

  test("parameters.top_k gives k guesses per text, best first, shape [n, k]; outputs filters", async () => {
    const body = await (
      await infer("lang-id", { ...texts(["Buenos días, ¿cómo estás?"]), parameters: { top_k: 3 }, outputs: [{ name: "probability" }] })
    ).json();
    expect(body.outputs.length).toBe(1);
    const [p] = body.outputs;
    expect(p.name).toBe("probability");
    expect(p.shape).toEqual([1, 3]);
    expect(p.data[0]).toBeGreaterThanOrEqual(p.data[1]);
    expect(p.data[1]).toBeGreaterThanOrEqual(p.data[2]);
    const labels = (await (await infer("lang-id", { ...texts(["Buenos días, ¿cómo estás?"]), parameters: { top_k: 3 } })).json()).outputs[0];
    expect(labels.data[0]).toBe("es");
    expect(labels.data.length).toBe(3);
  });

  test("a nested [2, 1] input keeps its shape; the versioned path works too", async () => {
    const body = await (
      await infer("lang-id", texts([["Hello my friend, how are you?"], ["Ciao, come stai amico mio?"]], [2, 1]), "/v2/models/lang-id/versions/1/infer")
    ).json();
    expect(body.outputs[0].shape).toEqual([2, 1]);
    expect(body.outputs[0].data).toEqual(["en", "it"]);
  });

  test("invalid requests are 400 with an OIP error", async () => {
    const bad: unknown[] = [
      { inputs: [] },
      { inputs: [{ name: "text", shape: [2], datatype: "BYTES", data: ["only one"] }] },
      { inputs: [{ name: "text", shape: [1], datatype: "FP32", data: [1] }] },
      { inputs: [{ name: "words", shape: [1], datatype: "BYTES", data: ["x"] }] },
      { inputs: [{ name: "text", shape: [1], datatype: "BYTES", data: [7] }] },
      { inputs: [{ name: "text", shape: [-1], datatype: "BYTES", data: ["x"] }] },
      { inputs: [{ name: "text", shape: [1], datatype: "STRING", data: ["x"] }] },
      { ...texts(["x"]), parameters: { top_k: 0 } },
      { ...texts(["x"]), outputs: [{ name: "nope" }] },
      { inputs: [texts(["x"]).inputs[0], texts(["y"]).inputs[0]] },
    ];
    for (const body of bad) {
      const res = await infer("lang-id", body);
      const answer = await res.json();
      expect([JSON.stringify(body), res.status, typeof answer.error]).toEqual([JSON.stringify(body), 400, "string"]);
    }
    const notJson = await fetch(`${server.url}/v2/models/lang-id/infer`, { method: "POST", body: "{" });
    expect(notJson.status).toBe(400);
  });
});

describe("sentiment", () => {
  test("positive sentences score above negative ones", async () => {
    const res = await infer(
      "sentiment",
      texts(["I love this, it is wonderful and works great!", "The table is in the kitchen.", "This is terrible, I hate it, awful experience."]),
    );
    expect(res.status).toBe(200);
    const [score] = (await res.json()).outputs;
    expect(score.name).toBe("score");
    expect(score.datatype).toBe("FP32");
    expect(score.shape).toEqual([3]);
    const [positive, neutral, negative] = score.data as number[];
    expect(positive).toBeGreaterThan(0.3);
    expect(negative).toBeLessThan(-0.3);
    expect(neutral).toBeGreaterThan(negative as number);
    expect(neutral).toBeLessThan(positive as number);
  });
});
