// Test helper: a small model server on loopback (OIP v2 and OpenAI-compatible, deterministic) that records what it sees.
// The real development model server (tools/model-server) will replace it where tests want real models.

export interface SeenCall {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  at: number;
  /** performance.now() when the request's signal aborted (the caller went away), if it did. */
  abortedAt?: number;
}

export type BackendHandler = (req: Request, body: string, seen: SeenCall) => Response | Promise<Response>;

const encoder = new TextEncoder();

/** The answers the default handler gives, so tests can compute what a direct call returns. */
export function defaultAnswer(req: Request, body: string): Response {
  const path = new URL(req.url).pathname;
  if (path === "/v2/health/ready") return new Response(null, { status: 200 });
  let m = /^\/v2\/models\/([^/]+)$/.exec(path);
  if (m)
    return Response.json({
      name: decodeURIComponent(m[1] ?? ""),
      versions: ["1"],
      platform: "test",
      inputs: [{ name: "x", datatype: "FP32", shape: [-1] }],
      outputs: [],
    });
  m = /^\/v2\/models\/([^/]+)\/infer$/.exec(path);
  if (m) {
    const r = JSON.parse(body) as { id?: string; inputs: { name: string; shape: number[]; datatype: string; data: unknown[] }[] };
    const outputs = r.inputs.map((t) => ({ name: `${t.name}_out`, shape: t.shape, datatype: t.datatype, data: t.data }));
    return Response.json({ model_name: decodeURIComponent(m[1] ?? ""), ...(r.id === undefined ? {} : { id: r.id }), outputs });
  }
  if (path === "/v1/models") return Response.json({ object: "list", data: [{ id: "echo-chat", object: "model", owned_by: "test" }] });
  m = /^\/v1\/models\/([^/]+)$/.exec(path);
  if (m) return Response.json({ id: decodeURIComponent(m[1] ?? ""), object: "model", owned_by: "test" });
  if (path === "/v1/embeddings") {
    const r = JSON.parse(body) as { model: string; input: string | string[] };
    const inputs = Array.isArray(r.input) ? r.input : [r.input];
    const data = inputs.map((s, index) => ({ object: "embedding", index, embedding: [...String(s)].slice(0, 8).map((ch) => (ch.codePointAt(0) ?? 0) / 1000) }));
    return Response.json({ object: "list", data, model: r.model, usage: { prompt_tokens: inputs.length, total_tokens: inputs.length } });
  }
  if (path === "/v1/chat/completions") {
    const r = JSON.parse(body) as { model: string; stream?: boolean; messages: { content?: string }[]; max_tokens?: number };
    const words = `echo: ${r.messages.at(-1)?.content ?? ""}`.split(" ");
    if (r.stream) return chatStream(r.model, words, 0);
    return Response.json({
      id: "chatcmpl-test",
      object: "chat.completion",
      created: 1,
      model: r.model,
      choices: [{ index: 0, message: { role: "assistant", content: words.join(" ") }, finish_reason: "stop" }],
      usage: { prompt_tokens: 1, completion_tokens: words.length, total_tokens: words.length + 1 },
    });
  }
  return Response.json({ error: `no route ${path}` }, { status: 404 });
}

/** One chat.completion.chunk event per token, `gapMs` apart, then `data: [DONE]`. */
export function chatChunk(model: string, token: string): string {
  return `data: ${JSON.stringify({ id: "chatcmpl-test", object: "chat.completion.chunk", created: 1, model, choices: [{ index: 0, delta: { content: token } }] })}\n\n`;
}

export function chatStream(model: string, tokens: string[], gapMs: number, opts: { dieAfter?: number; sentAt?: number[] } = {}): Response {
  let i = 0;
  return new Response(
    new ReadableStream<Uint8Array>({
      async pull(c) {
        if (gapMs > 0 && i > 0) await Bun.sleep(gapMs);
        if (opts.dieAfter !== undefined && i === opts.dieAfter) {
          c.error(new Error("model server died"));
          return;
        }
        if (i === tokens.length) {
          c.enqueue(encoder.encode("data: [DONE]\n\n"));
          c.close();
          return;
        }
        opts.sentAt?.push(performance.now());
        c.enqueue(encoder.encode(chatChunk(model, tokens[i] as string)));
        i++;
      },
    }),
    { headers: { "content-type": "text/event-stream" } },
  );
}

export interface ModelBackend {
  url: string;
  port: number;
  seen: SeenCall[];
  /** Calls other than readiness checks. */
  calls(): SeenCall[];
  set(handler: BackendHandler): void;
  stop(): Promise<void>;
}

export function modelBackend(initial: BackendHandler = (req, body) => defaultAnswer(req, body)): ModelBackend {
  const seen: SeenCall[] = [];
  let handler = initial;
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    idleTimeout: 60,
    async fetch(req) {
      const body = req.body ? await req.text() : "";
      const call: SeenCall = { method: req.method, path: new URL(req.url).pathname, headers: Object.fromEntries(req.headers), body, at: performance.now() };
      req.signal.addEventListener("abort", () => {
        call.abortedAt = performance.now();
      });
      seen.push(call);
      return handler(req, body, call);
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    port: server.port ?? 0,
    seen,
    calls: () => seen.filter((s) => s.path !== "/v2/health/ready" && s.path !== "/v1/models"),
    set(h) {
      handler = h;
    },
    stop: () => server.stop(true),
  };
}
