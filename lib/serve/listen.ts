// Starts an HTTP listener on the runtime at hand (Bun.serve, or Deno.serve) behind one small interface.

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

export interface ListenOptions {
  port: number;
  hostname?: string;
  fetch: (req: Request, peer?: string) => Response | Promise<Response>;
  /** Pass the direct peer's IP address as `fetch`'s second argument (off by default: Hono's fetch would take it for env). */
  peerAddress?: boolean;
  /** Seconds a keep-alive connection may stay idle. */
  idleTimeoutSeconds?: number;
}

type BunServer = { requestIP(req: Request): { address: string } | null };
type BunLike = {
  serve(o: {
    port: number;
    hostname?: string;
    fetch: (req: Request, server: BunServer) => Response | Promise<Response>;
    idleTimeout?: number;
    maxRequestBodySize?: number;
  }): {
    port: number;
    stop(closeActive?: boolean): Promise<void>;
  };
};
type DenoLike = {
  serve(
    o: { port: number; hostname?: string; onListen?: () => void },
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

export function listen(opts: ListenOptions): Listener {
  const g = globalThis as { Bun?: BunLike; Deno?: DenoLike };
  let draining = false;
  const serve = opts.fetch;
  // Costs one flag check per request until the drain starts.
  const wrapped = (req: Request, peer?: string): Response | Promise<Response> => {
    if (!draining) return serve(req, peer);
    return Promise.resolve(serve(req, peer)).then(closing);
  };
  const drain = () => {
    draining = true;
  };
  opts = { ...opts, fetch: wrapped };
  if (g.Bun) {
    const handler = opts.fetch;
    const fetch = opts.peerAddress
      ? (req: Request, server: BunServer) => handler(req, server.requestIP(req)?.address)
      : (handler as (req: Request) => Response);
    const server = g.Bun.serve({ port: opts.port, hostname: opts.hostname ?? "0.0.0.0", fetch, idleTimeout: opts.idleTimeoutSeconds ?? 30 });
    // stop(false) lets in-flight requests finish and closes idle keep-alive connections at once (measured, Bun 1.4.5).
    return { port: server.port, drain, stop: (force = false) => server.stop(force) };
  }
  if (g.Deno) {
    const handler = opts.fetch;
    const server = g.Deno.serve({ port: opts.port, hostname: opts.hostname ?? "0.0.0.0", onListen: () => {} }, (req, info) =>
      opts.peerAddress ? handler(req, info.remoteAddr.hostname) : handler(req),
    );
    return { port: server.addr.port, drain, stop: () => server.shutdown() };
  }
  throw new Error("listen: no supported runtime (Bun or Deno) found");
}
