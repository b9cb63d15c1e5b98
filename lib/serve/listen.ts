// Starts an HTTP listener on the runtime at hand (Bun.serve, or Deno.serve) behind one small interface.
import { problemResponse } from "../http/problem.ts";
import type { Logger } from "../logging/logger.ts";

export interface Listener {
  readonly port: number;
  /**
   * From now on every response carries `Connection: close`, so keep-alive clients (a proxy's upstream pool) close
   * each connection after its answer instead of reusing it just as the listener stops. Called at the start of the
   * drain delay; the listener keeps accepting until stop().
   */
  drain(): void;
  /** Stops accepting connections; resolves once in-flight requests have finished (or at once when `force`). */
  stop(force?: boolean): Promise<void>;
}

/** What a listener serves: the service's handler and how it is called. */
export interface ServeOptions {
  fetch: (req: Request, peer?: string) => Response | Promise<Response>;
  /** Pass the direct peer's IP address as `fetch`'s second argument (off by default: Hono's fetch would take it for env). */
  peerAddress?: boolean;
  /** Seconds a keep-alive connection, or a request waiting for its answer, may stay idle (default 30). */
  idleTimeoutSeconds?: number;
  /** Where an error that escaped `fetch` is logged (the client gets a plain 500 problem). */
  log?: Pick<Logger, "error">;
}

export interface ListenOptions extends ServeOptions {
  port: number;
  hostname?: string;
}

/**
 * A listener opened before the service's handler exists: it answers as a starting process (`whileStarting`) until
 * serve() hands it the handler, so /healthz answers while modules load and dependencies connect.
 */
export interface StartingListener extends Listener {
  serve(opts: ServeOptions): void;
}

export interface ListenStartingOptions {
  port: number;
  hostname?: string;
  /** The answers until serve() is called. */
  whileStarting: (req: Request) => Response;
  /** The connections' idle limit, fixed when the socket opens; serve() may ask for another one per request. */
  idleTimeoutSeconds?: number;
}

type BunServer = { requestIP(req: Request): { address: string } | null; timeout(req: Request, seconds: number): void };
type BunLike = {
  serve(o: {
    port: number;
    hostname?: string;
    fetch: (req: Request, server: BunServer) => Response | Promise<Response>;
    error?: (err: unknown) => Response;
    development?: boolean;
    idleTimeout?: number;
    maxRequestBodySize?: number;
  }): {
    port: number;
    stop(closeActive?: boolean): Promise<void>;
  };
};
type DenoLike = {
  serve(
    o: { port: number; hostname?: string; onListen?: () => void; onError?: (err: unknown) => Response },
    h: (req: Request, info: { remoteAddr: { hostname: string } }) => Response | Promise<Response>,
  ): { addr: { port: number }; shutdown(): Promise<void> };
};

/** The response with `Connection: close` (a copy when its headers are immutable, as on a fetch() response). */
function closing(res: Response): Response {
  try {
    res.headers.set("connection", "close");
    return res;
  } catch {
    const copy = new Response(res.body, res);
    copy.headers.set("connection", "close");
    return copy;
  }
}

const DEFAULT_IDLE_TIMEOUT_SECONDS = 30;

/** Bun passes its server (peer address, per-request timeout); Deno the peer address. */
type Handler = (req: Request, server?: BunServer, peer?: string) => Response | Promise<Response>;

export function listenStarting(opts: ListenStartingOptions): StartingListener {
  const g = globalThis as { Bun?: BunLike; Deno?: DenoLike };
  const listenIdle = opts.idleTimeoutSeconds ?? DEFAULT_IDLE_TIMEOUT_SECONDS;
  let draining = false;
  // Replaced once by serve(); the runtime's callback reads it per request (one indirection).
  let handle: Handler = (req) => opts.whileStarting(req);
  let log: Pick<Logger, "error"> | undefined;
  // A handler that throws past the service's own error handling (a bug, or a hot path's uncaught case) would get the
  // runtime's default answer: Bun's development page shows the stack trace. The client gets a problem instead.
  const lastResort = (err: unknown): Response => {
    const e = err as Error | undefined;
    log?.error("unhandled error", { err: e?.message ?? String(err), name: e?.name, stack: e?.stack });
    return problemResponse("internal_error");
  };
  const serve = (s: ServeOptions) => {
    log = s.log;
    const idle = s.idleTimeoutSeconds ?? DEFAULT_IDLE_TIMEOUT_SECONDS;
    const answer: Handler = (req, server, peer) => {
      // The socket's limit was fixed when it opened; only a service that asks for a longer one pays a call per request.
      if (idle > listenIdle) server?.timeout(req, idle);
      return s.fetch(req, s.peerAddress ? (peer ?? server?.requestIP(req)?.address) : undefined);
    };
    // Costs one flag check per request until the drain starts.
    handle = (req, server, peer) => (draining ? Promise.resolve(answer(req, server, peer)).then(closing) : answer(req, server, peer));
  };
  const drain = () => {
    draining = true;
  };
  const hostname = opts.hostname ?? "0.0.0.0";
  if (g.Bun) {
    const server = g.Bun.serve({
      port: opts.port,
      hostname,
      fetch: (req, srv) => handle(req, srv),
      error: lastResort,
      development: false,
      idleTimeout: listenIdle,
    });
    // stop(false) lets in-flight requests finish and closes idle keep-alive connections at once (measured, Bun 1.4.5).
    return { port: server.port, drain, serve, stop: (force = false) => server.stop(force) };
  }
  if (g.Deno) {
    const server = g.Deno.serve({ port: opts.port, hostname, onListen: () => {}, onError: lastResort }, (req, info) =>
      handle(req, undefined, info.remoteAddr.hostname),
    );
    return { port: server.addr.port, drain, serve, stop: () => server.shutdown() };
  }
  throw new Error("listen: no supported runtime (Bun or Deno) found");
}

/** A listener serving `opts.fetch` from the start. */
export function listen(opts: ListenOptions): Listener {
  const listener = listenStarting({
    port: opts.port,
    hostname: opts.hostname,
    idleTimeoutSeconds: opts.idleTimeoutSeconds,
    whileStarting: () => new Response(null, { status: 503 }),
  });
  listener.serve(opts);
  return listener;
}
