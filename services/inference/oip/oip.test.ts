// OIP v2 through the service against a model server on loopback: round trips equal direct answers; bad input never leaves.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type Harness, inferenceHarness } from "../testing/harness.ts";
import { defaultAnswer, type ModelBackend, modelBackend } from "../testing/model-backend.ts";

let backend: ModelBackend;
// Answers without the request's id at the top level (only inside its parameters): the service has to put it there.
let forgetful: ModelBackend;
let h: Harness;
beforeAll(async () => {
  backend = modelBackend();
  forgetful = modelBackend((req, body) =>
    req.method === "POST" ? Response.json({ model_name: "forgetful", parameters: { id: JSON.parse(body).id }, outputs: [] }) : defaultAnswer(req, body),
  );
  h = await inferenceHarness({
    "lang-id": { protocol: "oip-v2", backends: [{ url: backend.url }], maxTensorElements: 1000, maxRequestBytes: 4096 },
    renamed: { protocol: "oip-v2", backends: [{ url: backend.url, model: "served/v1" }] },
    "echo-chat": { protocol: "openai", backends: [{ url: backend.url }] },
    forgetful: { protocol: "oip-v2", backends: [{ url: forgetful.url }] },
  });
});
afterAll(async () => {
  await h.close();
  await backend.stop();
  await forgetful.stop();
});

const tensor = (over: Record<string, unknown> = {}) => ({ name: "text", shape: [2], datatype: "BYTES", data: ["hello", "bonjour"], ...over });
const direct = async (path: string, init?: RequestInit) => (await fetch(backend.url + path, init)).json();

describe("round trips", () => {
  test("infer: the answer equals the model server's own, the request id is echoed, one call upstream", async () => {
    const body = {
      id: "req-42",
      inputs: [
        tensor(),
        {
          name: "n",
          shape: [2, 2],
          datatype: "FP32",
          data: [
            [1, 2],
            [3, 4.5],
          ],
        },
      ],
    };
    const before = backend.calls().length;
    const res = await h.post("/v1/models/lang-id/infer", body, { headers: { "x-request-id": "rid-1" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-request-id")).toBe("rid-1");
    const got = await res.json();
    const calls = backend.calls().slice(before);
    expect(got).toEqual(await direct("/v2/models/lang-id/infer", { method: "POST", body: JSON.stringify(body) }));
    expect(got.id).toBe("req-42");
    expect(calls).toHaveLength(1);
    expect(calls[0]?.path).toBe("/v2/models/lang-id/infer");
    expect(calls[0]?.headers["x-request-id"]).toBe("rid-1");
    expect(calls[0]?.headers.authorization).toBeUndefined(); // the internal token never goes to a model server
    expect(calls[0]?.body).toBe(JSON.stringify(body));
  });

  test("a backend that does not echo the request id: the answer carries it all the same", async () => {
    const res = await h.post("/v1/models/forgetful/infer", { id: "req-7", inputs: [tensor()] });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ model_name: "forgetful", parameters: { id: "req-7" }, outputs: [], id: "req-7" });
  });

  test("a public name mapped to another name at the backend: the backend sees its name, the client the public one", async () => {
    const res = await h.post("/v1/models/renamed/infer", { inputs: [tensor()] });
    expect(res.status).toBe(200);
    expect((await res.json()).model_name).toBe("renamed");
    expect(backend.calls().at(-1)?.path).toBe("/v2/models/served%2Fv1/infer");
  });

  test("metadata comes from the model server; ready and the registry list come from the service's own state", async () => {
    const meta = await h.fetch("/v1/models/lang-id");
    expect(meta.status).toBe(200);
    expect(await meta.json()).toEqual(await direct("/v2/models/lang-id"));
    const ready = await h.fetch("/v1/models/lang-id/ready");
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ name: "lang-id", ready: true });
    const list = await (await h.fetch("/v1/models")).json();
    expect(list.object).toBe("list");
    expect(list.data.map((m: { id: string; protocol: string }) => [m.id, m.protocol])).toEqual([
      ["lang-id", "oip-v2"],
      ["renamed", "oip-v2"],
      ["echo-chat", "openai"],
      ["forgetful", "oip-v2"],
    ]);
    expect(list.data[0].limits.max_request_bytes).toBe(4096);
  });

  test("a backend's {error} answer becomes problem+json: 4xx → 422 inference_rejected, 5xx → 502 backend_error", async () => {
    backend.set(() => Response.json({ error: "unexpected input 'text'" }, { status: 400 }));
    try {
      const rejected = await h.post("/v1/models/lang-id/infer", { inputs: [tensor()] });
      expect(rejected.status).toBe(422);
      expect(rejected.headers.get("content-type")).toBe("application/problem+json");
      const p = await rejected.json();
      expect(p.code).toBe("inference_rejected");
      expect(p.detail).toContain("unexpected input 'text'");
      backend.set(() => Response.json({ error: "CUDA out of memory" }, { status: 500 }));
      const failed = await h.post("/v1/models/lang-id/infer", { inputs: [tensor()] });
      expect(failed.status).toBe(502);
      expect((await failed.json()).code).toBe("backend_error");
    } finally {
      backend.set((req, body) => import("../testing/model-backend.ts").then((m) => m.defaultAnswer(req, body)));
    }
  });
});

describe("refused before anything goes upstream", () => {
  const cases: [string, unknown, string][] = [
    ["duplicate input names", { inputs: [tensor(), tensor()] }, "body.inputs.1.name"],
    ["unknown datatype", { inputs: [tensor({ datatype: "STRING" })] }, "body.inputs.0.datatype"],
    ["negative dimension", { inputs: [tensor({ shape: [-2] })] }, "body.inputs.0.shape.0"],
    ["fractional dimension", { inputs: [tensor({ shape: [1.5] })] }, "body.inputs.0.shape.0"],
    ["element count differs from the shape", { inputs: [tensor({ shape: [3] })] }, "body.inputs.0.data"],
    ["nested data with the wrong count", { inputs: [{ name: "x", shape: [2, 2], datatype: "INT32", data: [[1, 2], [3]] }] }, "body.inputs.0.data"],
    ["BYTES given as numbers", { inputs: [tensor({ data: [1, 2] })] }, "body.inputs.0.data"],
    ["INT8 out of range", { inputs: [{ name: "x", shape: [1], datatype: "INT8", data: [300] }] }, "body.inputs.0.data"],
    ["BOOL given as 0/1", { inputs: [{ name: "x", shape: [1], datatype: "BOOL", data: [1] }] }, "body.inputs.0.data"],
    ["a nested parameter value", { parameters: { a: { b: 1 } }, inputs: [tensor()] }, "body.parameters.a"],
    ["no inputs", { inputs: [] }, "body.inputs"],
    ["over the model's element cap", { inputs: [{ name: "x", shape: [1001], datatype: "FP32", data: Array(1001).fill(0) }] }, "body.inputs"],
  ];
  for (const [what, body, path] of cases) {
    test(`${what} → 422 validation_failed at ${path}`, async () => {
      const before = backend.seen.length;
      const res = await h.post("/v1/models/lang-id/infer", body);
      expect(res.status).toBe(422);
      const p = await res.json();
      expect(p.code).toBe("validation_failed");
      expect(p.errors.map((e: { path: string }) => e.path)).toContain(path);
      expect(backend.seen.length).toBe(before);
    });
  }

  test("not JSON → 400 invalid_json; over the model's body cap → 413 (declared or chunked); nothing upstream", async () => {
    const before = backend.seen.length;
    const bad = await h.post("/v1/models/lang-id/infer", "{nope");
    expect(bad.status).toBe(400);
    expect((await bad.json()).code).toBe("invalid_json");
    const big = JSON.stringify({ inputs: [tensor({ shape: [1], data: ["x".repeat(5000)] })] });
    const declared = await h.post("/v1/models/lang-id/infer", big);
    expect(declared.status).toBe(413);
    expect((await declared.json()).code).toBe("payload_too_large");
    const chunked = await h.fetch("/v1/models/lang-id/infer", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: new ReadableStream({
        start(c) {
          c.enqueue(new TextEncoder().encode(big));
          c.close();
        },
      }),
    });
    expect(chunked.status).toBe(413);
    expect(backend.seen.length).toBe(before);
  });

  test("unknown models, OpenAI models on OIP routes → 404 model_not_found; no token → 401; wrong scope → 403", async () => {
    const before = backend.seen.length;
    for (const path of ["/v1/models/nope/infer", "/v1/models/echo-chat/infer", "/v1/models/LANG-ID/infer"]) {
      const res = await h.post(path, { inputs: [tensor()] });
      expect(res.status).toBe(404);
      expect((await res.json()).code).toBe("model_not_found");
    }
    expect((await fetch(`${h.url}/v1/models`)).status).toBe(401);
    expect((await h.fetch("/v1/models/lang-id", {}, ["orders:read"])).status).toBe(403);
    expect((await h.post("/v1/models/lang-id/infer", { inputs: [tensor()] }, { headers: { authorization: "Bearer x.y.z" } })).status).toBe(401);
    expect(backend.seen.length).toBe(before);
  });
});
