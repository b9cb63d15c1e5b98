// Request and response bodies: limits enforced before a service sees a byte, and bodies streamed through intact.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { gatewayHarness, type Harness } from "../testing/harness.ts";

const MiB = 1024 * 1024;
let h: Harness;
beforeAll(async () => {
  h = await gatewayHarness({ env: { BODY_LIMIT_BYTES: String(MiB) } });
});
afterAll(() => h.close());

const bytes = (n: number, seed = 7) => {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
};
const sha = async (data: Uint8Array | ArrayBuffer) => Buffer.from(await crypto.subtle.digest("SHA-256", data as ArrayBuffer)).toString("hex");
/** A body of unknown length (sent chunked). */
const streamOf = (data: Uint8Array, chunk = 64 * 1024) =>
  new ReadableStream<Uint8Array>({
    start(c) {
      for (let i = 0; i < data.byteLength; i += chunk) c.enqueue(data.subarray(i, i + chunk));
      c.close();
    },
  });

describe("request bodies", () => {
  test("a 2 MiB body with Content-Length → 413 problem; the upstream sees nothing", async () => {
    const res = await h.gateway.request("/v1/orders", {
      method: "POST",
      headers: { ...h.bearer(await h.token()), "content-type": "application/json" },
      body: bytes(2 * MiB),
    });
    expect(res.status).toBe(413);
    expect((await res.json()).code).toBe("payload_too_large");
    expect(h.upstream.seen).toHaveLength(0);
  });

  test("a 2 MiB chunked body → 413; the upstream sees nothing", async () => {
    const res = await h.gateway.request("/v1/orders", {
      method: "POST",
      headers: h.bearer(await h.token()),
      body: streamOf(bytes(2 * MiB)),
      duplex: "half",
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(h.upstream.seen).toHaveLength(0);
  });

  test("an oversized declared body is refused even before authentication", async () => {
    const res = await h.gateway.request("/v1/orders", { method: "POST", headers: { "content-length": String(2 * MiB) }, body: bytes(2 * MiB) });
    expect(res.status).toBe(413);
  });

  test("bodies within the limit arrive intact, with and without a declared length", async () => {
    const data = bytes(MiB - 10, 3);
    h.upstream.set(async (req) => new Response(await sha(await req.arrayBuffer())));
    const declared = await h.gateway.request("/v1/orders", { method: "POST", headers: h.bearer(await h.token()), body: data });
    expect(await declared.text()).toBe(await sha(data));
    const chunked = await h.gateway.request("/v1/orders", {
      method: "POST",
      headers: h.bearer(await h.token()),
      body: streamOf(data),
      duplex: "half",
    } as RequestInit);
    expect(await chunked.text()).toBe(await sha(data));
    expect(h.upstream.seen.map((r) => r.bodyBytes)).toEqual([data.byteLength, data.byteLength]);
  });
});

describe("response bodies", () => {
  test("a large response is streamed: the first bytes arrive before the upstream has produced the rest, and all arrive intact", async () => {
    const chunks = Array.from({ length: 64 }, (_, i) => bytes(256 * 1024, i)); // 16 MiB
    let release: () => void = () => {};
    const firstRead = new Promise<void>((r) => {
      release = r;
    });
    h.upstream.set(
      () =>
        new Response(
          new ReadableStream<Uint8Array>({
            async start(c) {
              c.enqueue(chunks[0] as Uint8Array);
              await firstRead; // a buffering proxy would never deliver this first chunk: the test would time out
              for (const chunk of chunks.slice(1)) c.enqueue(chunk);
              c.close();
            },
          }),
          { headers: { "content-type": "application/octet-stream" } },
        ),
    );
    const res = await h.get("/v1/orders", h.bearer(await h.token()));
    expect(res.status).toBe(200);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const received: Uint8Array[] = [];
    const first = await reader.read();
    expect(first.done).toBe(false);
    received.push(first.value as Uint8Array);
    release();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      received.push(value);
    }
    const total = received.reduce((n, c) => n + c.byteLength, 0);
    expect(total).toBe(16 * MiB);
    const joined = new Uint8Array(total);
    let at = 0;
    for (const c of received) {
      joined.set(c, at);
      at += c.byteLength;
    }
    const expected = new Uint8Array(16 * MiB);
    for (const [i, c] of chunks.entries()) expected.set(c, i * 256 * 1024);
    expect(await sha(joined)).toBe(await sha(expected));
  }, 20_000);
});
