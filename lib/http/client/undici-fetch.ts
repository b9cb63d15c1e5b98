// A FetchLike over undici's connection pool, for a service's calls to one upstream origin from Bun.
//
// Why: Bun's fetch() runs on an HTTP thread of its own, so every call hands the request over to it and the answer
// back; undici writes and reads its sockets on the JavaScript thread. A minimal whole-body proxy on loopback added
// 0.106 ms to a small OIP infer call at c=1 with fetch() and 0.072 ms with this (median of 8 interleaved rounds of
// wrk, 2-core machine), at about the same req/s at c=32 (12.9k against 12.3k, one 4 s run each). undici's Pool is imported by its path because
// Bun answers a bare `undici` with its own stand-in, whose Pool sends nothing. Under load Bun's fetch serves more calls
// per second (its HTTP thread parses beside the JavaScript thread), so the inference service sends a whole-answer call
// through this only while it is its backend's only call (`clientFor`, services/inference/backends/backend.ts).
//
// The price is memory: the compiled inference service held 90 MB of RSS after bench:startup's 10,000 metadata calls,
// against 71 MB with fetch (undici's modules and Bun's node:net under them; not a leak: in a bare process RSS stayed
// flat over 3 × 10,000 calls).
//
// What it does, and no more (the upstream client and the callers do the rest):
// - the body is a string, bytes or none; anything else goes to the runtime's fetch();
// - redirects are returned, never followed, and bodies are passed on undecoded, as `redirect: "manual"` and
//   `decompress: false` do with Bun's fetch();
// - `init.signal` aborts the call before the headers and the body after them;
// - the Response reads a whole body (bytes(), arrayBuffer(), text(), json()) straight from the chunks received, and
//   makes a stream only when `body` is asked for. Measured: a Response made from a stream and read with bytes() gave
//   back about 20 µs of the 34 µs gained, and a quarter to a third of the req/s at c=32 (8.4k and 9.3k against 12.3k).
// - Time limits are the caller's: undici's own header and body timeouts are off, its connect timeout is a backstop.
// - For whole answers, not streams: the body is taken as fast as it comes, with no backpressure, so its reader must
//   read on and cap its size (the inference service's readers do). Pausing for backpressure (undici's pause: its
//   parser hands the unread bytes back with socket.unshift) made undici on Bun deliver empty chunks without end on a
//   2,000-chunk stream over a reused connection; streamed calls stay with the runtime's fetch, whose body stream is
//   native.
import type { Pool } from "undici/index.js";
import type { FetchLike } from "./upstream-client.ts";

export interface UndiciFetchOptions {
  /** The one origin this fetch calls (scheme, host, port); a URL elsewhere is an error. */
  origin: string;
  /** undici's own connect timeout, a backstop for the caller's (default 10 s). */
  connectTimeoutMs?: number;
}

/** The parts of undici's dispatch controller this uses (its typings lag the handler API it runs). */
interface Controller {
  abort(reason: Error): void;
  readonly aborted: boolean;
}

type IncomingHeaders = Record<string, string | string[] | undefined>;

/** A response body as it arrives: kept as chunks for a whole read, or handed to a stream once one is asked for. */
class IncomingBody {
  #chunks: Uint8Array<ArrayBuffer>[] = [];
  #size = 0;
  #ended = false;
  #error: unknown;
  #stream: ReadableStream<Uint8Array<ArrayBuffer>> | undefined;
  #streamCtl: ReadableStreamDefaultController<Uint8Array<ArrayBuffer>> | undefined;
  #whole: { resolve: (b: Uint8Array) => void; reject: (e: unknown) => void } | undefined;
  used = false;

  constructor(private readonly ctl: Controller) {}

  push(chunk: Uint8Array<ArrayBuffer>): void {
    // No backpressure: see the file's header.
    if (this.#streamCtl) this.#streamCtl.enqueue(chunk);
    else {
      this.#chunks.push(chunk);
      this.#size += chunk.byteLength;
    }
  }

  end(): void {
    this.#ended = true;
    if (this.#streamCtl) this.#streamCtl.close();
    else this.#whole?.resolve(this.#joined());
  }

  fail(err: unknown): void {
    if (this.#ended) return;
    this.#error = err;
    if (this.#streamCtl) this.#streamCtl.error(err);
    else this.#whole?.reject(err);
  }

  /** The body as a stream, made at the first ask; cancelling it aborts the call (and so closes its connection). */
  stream(): ReadableStream<Uint8Array<ArrayBuffer>> {
    this.#stream ??= new ReadableStream<Uint8Array<ArrayBuffer>>({
      start: (c) => {
        this.used = true;
        for (const chunk of this.#chunks) c.enqueue(chunk);
        this.#chunks = [];
        if (this.#error !== undefined) c.error(this.#error);
        else if (this.#ended) c.close();
        else this.#streamCtl = c;
      },
      cancel: (reason) => {
        this.#streamCtl = undefined;
        if (!this.#ended && !this.ctl.aborted) this.ctl.abort(reason instanceof Error ? reason : new Error("body cancelled"));
      },
    });
    return this.#stream;
  }

  /** The whole body, from the chunks as they came: no stream. */
  async bytes(): Promise<Uint8Array> {
    // A stream handed out (see start) has the body: whole reads are refused from then on, as a Response does.
    if (this.used) throw new TypeError("Body already used");
    this.used = true;
    if (this.#error !== undefined) throw this.#error;
    if (this.#ended) return this.#joined();
    return new Promise((resolve, reject) => {
      this.#whole = { resolve, reject };
    });
  }

  #joined(): Uint8Array {
    const chunks = this.#chunks;
    this.#chunks = [];
    if (chunks.length === 1) return chunks[0] as Uint8Array;
    const out = new Uint8Array(this.#size);
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.byteLength;
    }
    return out;
  }
}

/**
 * A Response whose body lives in an IncomingBody. Built bodiless, then its body accessors overridden: Bun's own body
 * is native, and filling it from a JavaScript stream is the cost this avoids.
 */
class UndiciResponse extends Response {
  readonly #in: IncomingBody;
  constructor(status: number, headers: Headers, body: IncomingBody) {
    super(null, { status, headers });
    this.#in = body;
  }
  // An accessor, where Response's own is native: the stream is made on demand.
  override get body(): ReadableStream<Uint8Array<ArrayBuffer>> {
    return this.#in.stream();
  }
  override get bodyUsed(): boolean {
    return this.#in.used;
  }
  override bytes(): Promise<Uint8Array<ArrayBuffer>> {
    return this.#in.bytes() as Promise<Uint8Array<ArrayBuffer>>;
  }
  override async arrayBuffer(): Promise<ArrayBuffer> {
    const b = await this.#in.bytes();
    return b.byteOffset === 0 && b.byteLength === b.buffer.byteLength ? (b.buffer as ArrayBuffer) : (b.slice().buffer as ArrayBuffer);
  }
  override async text(): Promise<string> {
    return new TextDecoder().decode(await this.#in.bytes());
  }
  override async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }
  override clone(): Response {
    throw new TypeError("an upstream response is read once; clone() is not supported");
  }
}

function responseHeaders(raw: IncomingHeaders): Headers {
  const h = new Headers();
  for (const name in raw) {
    const v = raw[name];
    if (typeof v === "string") h.append(name, v);
    else if (v !== undefined) for (const one of v) h.append(name, one);
  }
  return h;
}

function requestHeaders(h: HeadersInit | undefined): Record<string, string> | Iterable<[string, string]> | undefined {
  if (h === undefined || h instanceof Headers) return h;
  if (Array.isArray(h)) return h as [string, string][];
  return h as Record<string, string>;
}

const abortError = (reason: unknown): Error =>
  reason instanceof Error ? reason : Object.assign(new Error("This operation was aborted"), { name: "AbortError", cause: reason });

/**
 * undici is loaded at the first call, not at start: loaded with the service it cost the compiled inference executable
 * 10 MB of idle RSS and 26 ms to /readyz (bench:startup, 5 runs each), for calls that may never come. Only its Pool
 * module, not the package's index (fetch, WebSocket, caches, mocks): in a bare Bun process the index took 26 MB of RSS
 * to import, Pool alone 18 MB and 58 ms.
 */
let loading: Promise<typeof Pool> | undefined;
const loadPool = () => {
  loading ??= import("undici/lib/dispatcher/pool.js").then((m) => m.default);
  return loading;
};

export function createUndiciFetch(opts: UndiciFetchOptions): FetchLike {
  const origin = new URL(opts.origin).origin;
  let pool: Pool | undefined;
  const open = (PoolClass: typeof Pool) => {
    pool ??= new PoolClass(origin, { headersTimeout: 0, bodyTimeout: 0, connect: { timeout: opts.connectTimeoutMs ?? 10_000 } });
    return pool;
  };
  return (input, init) => {
    if (!input.startsWith(origin)) return Promise.reject(new TypeError(`${input} is not on ${origin}`));
    const body = init.body ?? null;
    if (!(body === null || typeof body === "string" || body instanceof Uint8Array)) return fetch(input, init);
    if (pool) return send(pool, origin, input, init, body);
    return loadPool().then((PoolClass) => send(open(PoolClass), origin, input, init, body));
  };
}

function send(pool: Pool, origin: string, input: string, init: RequestInit, body: string | Uint8Array | null): Promise<Response> {
  const signal = init.signal ?? null;
  if (signal?.aborted) return Promise.reject(abortError(signal.reason));
  return new Promise<Response>((resolve, reject) => {
    let ctl: Controller | undefined;
    let incoming: IncomingBody | undefined;
    let done = false;
    const finish = () => {
      done = true;
      signal?.removeEventListener("abort", onAbort);
    };
    const onAbort = () => {
      const err = abortError(signal?.reason);
      if (ctl) return ctl.abort(err);
      // Not started yet: the pool holds the call until a connection opens (a backend whose connects hang holds it
      // for good). Settle now; onRequestStart aborts it if it ever starts.
      finish();
      reject(err);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    pool.dispatch(
      {
        path: input.slice(origin.length) || "/",
        method: (init.method ?? "GET") as "GET",
        headers: requestHeaders(init.headers),
        body,
        headersTimeout: 0,
        bodyTimeout: 0,
      },
      {
        onRequestStart(c: Controller) {
          ctl = c;
          if (signal?.aborted) c.abort(abortError(signal.reason));
        },
        onResponseStart(c: Controller, status: number, headers: IncomingHeaders) {
          if (status < 200) return; // informational: the final answer follows
          incoming = new IncomingBody(c);
          resolve(new UndiciResponse(status, responseHeaders(headers), incoming));
        },
        onResponseData(_c: Controller, chunk: Uint8Array<ArrayBuffer>) {
          incoming?.push(chunk);
        },
        onResponseEnd() {
          finish();
          incoming?.end();
        },
        onResponseError(_c: Controller, err: Error) {
          if (done) return;
          finish();
          if (incoming) incoming.fail(err);
          else reject(err);
        },
      } as never,
    );
  });
}
