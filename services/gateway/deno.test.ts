// The gateway on Deno: lib/ and the gateway use only web-standard APIs (DESIGN.md), and this runs the real entrypoint
// under Deno (from npm when not installed: lib/testing/deno.ts) in front of a stub upstream to prove it.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { TCPSocketListener } from "bun";
import { loadOrCreateKeyFile } from "../../lib/auth/dev-key-file.ts";
import { type DevKeyPair, generateDevKeyPair } from "../../lib/auth/dev-keys.ts";
import { createInternalTokenVerifier } from "../../lib/auth/internal-token.ts";
import { denoBinary } from "../../lib/testing/deno.ts";
import { type ServiceProcess, startService } from "../../lib/testing/service-process.ts";
import { createUserTokenMinter, DEV_ISSUER_KEY_FILE, type DevIssuerKeys, generateDevIssuerKeys } from "./dev-issuer/issuer.ts";
import { stubServer } from "./testing/harness.ts";

const ROOT = resolve(import.meta.dir, "../..");

describe("gateway on Deno", () => {
  let dir: string;
  let keys: DevIssuerKeys;
  let internal: DevKeyPair;
  let upstream: ReturnType<typeof stubServer>;
  let gateway: ServiceProcess;
  /** INFERENCE_URL: a raw HTTP/1.1 server whose event stream breaks off. */
  let sseServer: TCPSocketListener;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "gateway-deno-"));
    // The file the dev issuer loads at startup: written first, so the test can mint tokens the gateway accepts.
    keys = await loadOrCreateKeyFile(join(dir, DEV_ISSUER_KEY_FILE), () => generateDevIssuerKeys());
    internal = await generateDevKeyPair("deno-internal-1");
    upstream = stubServer(() => Response.json({ ok: true }, { headers: { server: "stub/1.0" } }));
    // Events split across chunks (the relay holds the half until its blank line), then the connection closes without
    // the chunked body's end, as when the service's process dies.
    const sse = (c: string) => `${c.length.toString(16)}\r\n${c}\r\n`;
    const answered = new WeakSet<object>(); // a request may come in more than one packet: one answer each
    sseServer = Bun.listen({
      hostname: "127.0.0.1",
      port: 0,
      socket: {
        async data(socket) {
          if (answered.has(socket)) return;
          answered.add(socket);
          socket.write("HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n");
          socket.write(sse('data: {"n":1}\n\ndata: {"n"'));
          await Bun.sleep(30);
          socket.write(sse(":2}\n\n"));
          await Bun.sleep(30);
          socket.end();
        },
      },
    });
    gateway = await startService(
      [await denoBinary(), "run", "--allow-all", "services/gateway/main.ts"],
      {
        DEV_ISSUER: "true",
        DATA_DIR: dir,
        ORDERS_URL: upstream.url,
        INFERENCE_URL: `http://127.0.0.1:${sseServer.port}`,
        INTERNAL_AUTH_PRIVATE_JWK: JSON.stringify(internal.privateJwk),
        DRAIN_DELAY_MS: "0",
        DENO_NO_UPDATE_CHECK: "1",
      },
      { cwd: ROOT, readyPath: "/readyz", timeoutMs: 30_000 },
    );
  }, 120_000); // includes installing Deno from npm on a machine without it
  afterAll(async () => {
    await gateway?.stop("SIGKILL");
    upstream?.stop();
    sseServer?.stop(true);
    await rm(dir, { recursive: true, force: true });
  });

  test("proxies with a minted internal token, strips a smuggled identity header, refuses a missing token", async () => {
    const token = await (await createUserTokenMinter(keys))({ subject: "alice", scopes: ["orders:read"] });
    const res = await fetch(`${gateway.url}/v1/orders/123`, { headers: { authorization: `Bearer ${token}`, "x-user-id": "mallory" } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("ratelimit")).toStartWith('"orders";');
    expect(res.headers.get("server")).toBeNull();

    const seen = upstream.seen.at(-1);
    expect(seen?.url).toEndWith("/v1/orders/123");
    expect(seen?.headers["x-user-id"]).toBeUndefined();
    const internalToken = seen?.headers.authorization?.replace(/^Bearer /, "") ?? "";
    const principal = await createInternalTokenVerifier({ jwks: internal.jwks, audience: "orders" })(internalToken);
    expect(principal.subject).toBe("alice");

    const calls = upstream.seen.length;
    const refused = await fetch(`${gateway.url}/v1/orders`);
    expect(refused.status).toBe(401);
    expect(refused.headers.get("content-type")).toBe("application/problem+json");
    expect(refused.headers.get("www-authenticate")).toStartWith("Bearer");
    expect(upstream.seen.length).toBe(calls);
  });

  test("an event stream is relayed whole event by whole event; one that breaks off ends with the bad_gateway error event", async () => {
    const token = await (await createUserTokenMinter(keys))({ subject: "alice", scopes: ["inference:invoke"] });
    const res = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "m", stream: true, messages: [{ role: "user", content: "hi" }] }),
    });
    expect(res.status).toBe(200);
    const chunks: string[] = [];
    const dec = new TextDecoder();
    for await (const chunk of res.body as ReadableStream<Uint8Array>) chunks.push(dec.decode(chunk));
    // Each chunk the client got ends an event: none carries half of one.
    expect(chunks.every((c) => c.endsWith("\n\n"))).toBe(true);
    const events = chunks.join("").split("\n\n").filter(Boolean);
    expect(events.slice(0, 2)).toEqual(['data: {"n":1}', 'data: {"n":2}']);
    expect(JSON.parse((events[2] as string).slice("data: ".length))).toEqual({
      error: { message: "inference's stream broke off.", type: "server_error", param: null, code: "bad_gateway" },
    });
    expect(events).toHaveLength(3);
  });

  test("SIGTERM: a clean exit", async () => {
    expect(await gateway.stop("SIGTERM")).toBe(0);
  });
});
