import { expect, test } from "bun:test";
import { connect, type Socket } from "node:net";
import { listen } from "./listen.ts";

/** A raw keep-alive HTTP/1.1 client on one socket: what a proxy's upstream pool does. */
async function keepAliveSocket(port: number) {
  const sock: Socket = await new Promise((resolve) => {
    const s = connect(port, "127.0.0.1", () => resolve(s));
  });
  let closed = false;
  sock.on("end", () => {
    closed = true;
  });
  sock.on("close", () => {
    closed = true;
  });
  return {
    /** Sends GET / and resolves with the response head once the body ("ok") arrived. */
    get: () =>
      new Promise<string>((resolve) => {
        let buf = "";
        const onData = (d: Buffer) => {
          buf += d.toString();
          if (buf.endsWith("\r\n\r\nok")) {
            sock.off("data", onData);
            resolve(buf.toLowerCase());
          }
        };
        sock.on("data", onData);
        sock.write("GET / HTTP/1.1\r\nHost: test\r\n\r\n");
      }),
    closed: () => closed,
    destroy: () => sock.destroy(),
  };
}

test("after drain() every answer says Connection: close and the connection is closed; before, it is kept alive", async () => {
  const listener = listen({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("ok") });
  try {
    const client = await keepAliveSocket(listener.port);
    expect(await client.get()).not.toContain("connection: close");
    await Bun.sleep(50);
    expect(client.closed()).toBe(false);
    listener.drain();
    expect(await client.get()).toContain("connection: close");
    await Bun.sleep(50);
    expect(client.closed()).toBe(true);
  } finally {
    await listener.stop(true);
  }
});

test("drain() also closes after answers whose headers are immutable (a proxied fetch response)", async () => {
  const upstream = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("ok") });
  const listener = listen({ port: 0, hostname: "127.0.0.1", fetch: () => fetch(`http://127.0.0.1:${upstream.port}/`) });
  try {
    listener.drain();
    const client = await keepAliveSocket(listener.port);
    expect(await client.get()).toContain("connection: close");
  } finally {
    await listener.stop(true);
    await upstream.stop(true);
  }
});

test("stop() closes idle keep-alive connections at once and waits for the request in flight", async () => {
  let release: () => void = () => {};
  const slow = new Promise<void>((r) => {
    release = r;
  });
  const listener = listen({
    port: 0,
    hostname: "127.0.0.1",
    fetch: async (req) => {
      if (new URL(req.url).pathname === "/slow") await slow;
      return new Response("ok");
    },
  });
  const idle = await keepAliveSocket(listener.port);
  await idle.get();
  const inFlight = fetch(`http://127.0.0.1:${listener.port}/slow`);
  await Bun.sleep(20);
  let stopped = false;
  const stopping = listener.stop(false).then(() => {
    stopped = true;
  });
  await Bun.sleep(50);
  expect(idle.closed()).toBe(true);
  expect(stopped).toBe(false);
  release();
  expect((await inFlight).status).toBe(200);
  await stopping;
  idle.destroy();
});

test("a handler that throws or rejects past its own error handling → a 500 problem, the error in the log, no stack to the client", async () => {
  const logged: Record<string, unknown>[] = [];
  const log = { error: (_msg: string, fields?: Record<string, unknown>) => void logged.push(fields ?? {}) };
  const l = listen({
    port: 0,
    hostname: "127.0.0.1",
    log,
    fetch: (req) => {
      if (new URL(req.url).pathname === "/throws") throw new Error("synchronous bug");
      return Promise.reject(new TypeError("asynchronous bug"));
    },
  });
  try {
    for (const [path, message] of [
      ["/throws", "synchronous bug"],
      ["/rejects", "asynchronous bug"],
    ]) {
      const res = await fetch(`http://127.0.0.1:${l.port}${path}`);
      const text = await res.text();
      expect(res.status).toBe(500);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      expect(JSON.parse(text)).toMatchObject({ status: 500, code: "internal_error" });
      expect(text).not.toContain(message as string);
      expect(text).not.toContain("listen.test.ts");
      expect(logged.at(-1)).toMatchObject({ err: message });
    }
  } finally {
    await l.stop(true);
  }
});
