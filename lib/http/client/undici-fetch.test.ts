// The undici-backed fetch against real servers on loopback: what it passes on, what it leaves alone, and how it stops.
import { afterAll, describe, expect, test } from "bun:test";
import { gzipSync } from "node:zlib";
import { declaredBodyServer } from "../../testing/declared-body-server.ts";
import { unacceptingListener } from "../../testing/unaccepting-listener.ts";
import { createUndiciFetch } from "./undici-fetch.ts";

let behaviour: (req: Request) => Response | Promise<Response> = () => new Response("ok");
/** performance.now() when the server saw its client go away, per request. */
const abortedAt: number[] = [];
const server = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  idleTimeout: 30,
  fetch: (req) => {
    req.signal.addEventListener("abort", () => abortedAt.push(performance.now()), { once: true });
    return behaviour(req);
  },
});
const origin = `http://127.0.0.1:${server.port}`;
const f = createUndiciFetch({ origin });
afterAll(() => server.stop(true));

const chunked = (parts: string[], gapMs = 0) =>
  new ReadableStream<Uint8Array>({
    async start(c) {
      for (const p of parts) {
        c.enqueue(new TextEncoder().encode(p));
        if (gapMs) await Bun.sleep(gapMs);
      }
      c.close();
    },
  });

async function settlesWithin(p: Promise<unknown>, ms: number): Promise<unknown> {
  const t0 = performance.now();
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(performance.now() - t0).toBeLessThan(ms);
  return err;
}

describe("undici fetch", () => {
  test("method, path, query, headers and body go out; status, headers (repeated ones too) and body come back", async () => {
    behaviour = async (req) => {
      const headers = new Headers({ "x-echo": req.headers.get("x-in") ?? "" });
      headers.append("set-cookie", "a=1");
      headers.append("set-cookie", "b=2");
      return new Response(`${req.method} ${new URL(req.url).pathname}${new URL(req.url).search} ${await req.text()}`, { status: 201, headers });
    };
    const res = await f(`${origin}/p/q?x=1`, { method: "POST", headers: { "x-in": "yes", "content-type": "text/plain" }, body: "hello" });
    expect(res.status).toBe(201);
    expect(res.headers.get("x-echo")).toBe("yes");
    expect(res.headers.getSetCookie()).toEqual(["a=1", "b=2"]);
    expect(await res.text()).toBe("POST /p/q?x=1 hello");
    expect(res.bodyUsed).toBe(true);
    await expect(res.text()).rejects.toThrow("Body already used");
    // A Headers instance and a byte body are taken too.
    const again = await f(`${origin}/b`, { method: "PUT", headers: new Headers({ "x-in": "h" }), body: new TextEncoder().encode("bytes") });
    expect([again.headers.get("x-echo"), await again.text()]).toEqual(["h", "PUT /b bytes"]);
    // A body undici is not handed (a stream) goes through the runtime's fetch, and still arrives.
    const streamed = await f(`${origin}/s`, { method: "POST", body: chunked(["str", "eam"]), duplex: "half" } as RequestInit);
    expect(await streamed.text()).toBe("POST /s stream");
  });

  test("a chunked body is read whole (bytes, json) or as a stream, in order", async () => {
    const parts = Array.from({ length: 50 }, (_, i) => `${i},`);
    behaviour = () => new Response(chunked(parts, 1));
    expect(new TextDecoder().decode(await (await f(`${origin}/c`, { method: "GET" })).bytes())).toBe(parts.join(""));
    const streamed = await f(`${origin}/c`, { method: "GET" });
    expect(await new Response(streamed.body).text()).toBe(parts.join(""));
    behaviour = () => new Response(chunked(['{"a":', "[1,2]}"], 1));
    expect(await (await f(`${origin}/j`, { method: "GET" })).json()).toEqual({ a: [1, 2] });
  });

  test("a redirect is returned, not followed; a compressed body is passed on as sent", async () => {
    let followed = 0;
    behaviour = (req) => {
      if (new URL(req.url).pathname === "/target") followed++;
      return new Response(null, { status: 302, headers: { location: `${origin}/target` } });
    };
    const res = await f(`${origin}/from`, { method: "GET" });
    expect([res.status, res.headers.get("location"), followed]).toEqual([302, `${origin}/target`, 0]);
    const gz = gzipSync("squeezed");
    behaviour = () => new Response(gz, { headers: { "content-encoding": "gzip" } });
    const zipped = await f(`${origin}/gz`, { method: "GET" });
    expect(zipped.headers.get("content-encoding")).toBe("gzip");
    expect(Buffer.from(await zipped.bytes()).equals(gz)).toBe(true);
  });

  test("a URL on another origin is refused; a closed port fails with ECONNREFUSED (what failover looks for)", async () => {
    await expect(f("http://127.0.0.1:1/x", { method: "GET" })).rejects.toThrow("is not on");
    const dead = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("") });
    const port = dead.port;
    await dead.stop(true);
    const refused = createUndiciFetch({ origin: `http://127.0.0.1:${port}` });
    const err = (await settlesWithin(refused(`http://127.0.0.1:${port}/x`, { method: "GET" }), 1_000)) as { code?: string };
    expect(err?.code).toBe("ECONNREFUSED");
  });

  test("abort before the headers: the call fails at once and the server sees its client go away", async () => {
    behaviour = () => new Promise<Response>(() => {});
    abortedAt.length = 0;
    const ac = new AbortController();
    const p = f(`${origin}/hang`, { method: "GET", signal: ac.signal });
    await Bun.sleep(50);
    const t0 = performance.now();
    ac.abort(new Error("client gone"));
    expect(((await settlesWithin(p, 100)) as Error).message).toBe("client gone");
    await Bun.sleep(100);
    expect(abortedAt.length).toBe(1);
    expect((abortedAt[0] as number) - t0).toBeLessThan(100);
  });

  test("abort while the connection is still opening (connects hang): the call fails at once", async () => {
    const dead = await unacceptingListener();
    try {
      const url = `http://127.0.0.1:${dead.port}`;
      const hanging = createUndiciFetch({ origin: url });
      const ac = new AbortController();
      const p = hanging(`${url}/x`, { method: "GET", signal: ac.signal });
      await Bun.sleep(50);
      ac.abort(new Error("gave up"));
      expect(((await settlesWithin(p, 50)) as Error).message).toBe("gave up");
    } finally {
      dead.close();
    }
  });

  test("abort after the headers: a whole read stops at once and the connection is closed", async () => {
    const stall = await declaredBodyServer({ declared: 100, first: '{"partial":' });
    try {
      const g = createUndiciFetch({ origin: stall.url });
      const ac = new AbortController();
      const res = await g(`${stall.url}/x`, { method: "GET", signal: ac.signal });
      expect(res.status).toBe(200);
      const read = res.bytes();
      await Bun.sleep(50);
      const t0 = performance.now();
      ac.abort(new Error("stop"));
      expect(((await settlesWithin(read, 100)) as Error).message).toBe("stop");
      await Bun.sleep(50);
      expect((stall.closedAt()[0] as number) - t0).toBeLessThan(100);
    } finally {
      await stall.stop();
    }
  });

  test("cancelling the body stream closes the connection: the server sees it", async () => {
    behaviour = () =>
      new Response(
        chunked(
          Array.from({ length: 100 }, () => "x"),
          20,
        ),
      );
    abortedAt.length = 0;
    const res = await f(`${origin}/s`, { method: "GET" });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    const t0 = performance.now();
    await reader.cancel();
    await Bun.sleep(100);
    expect(abortedAt.length).toBe(1);
    expect((abortedAt[0] as number) - t0).toBeLessThan(100);
  });
});
