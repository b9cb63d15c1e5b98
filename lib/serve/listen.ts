// Starts an HTTP listener on the runtime at hand (Bun.serve, or Deno.serve) behind one small interface.

export interface Listener {
  readonly port: number;
  /** Stops accepting connections; resolves once in-flight requests have finished (or at once when `force`). */
  stop(force?: boolean): Promise<void>;
}

export interface ListenOptions {
  port: number;
  hostname?: string;
  fetch: (req: Request) => Response | Promise<Response>;
  /** Seconds a keep-alive connection may stay idle. */
  idleTimeoutSeconds?: number;
}

type BunLike = {
  serve(o: { port: number; hostname?: string; fetch: ListenOptions["fetch"]; idleTimeout?: number; maxRequestBodySize?: number }): {
    port: number;
    stop(closeActive?: boolean): Promise<void>;
  };
};
type DenoLike = {
  serve(o: { port: number; hostname?: string; onListen?: () => void }, h: ListenOptions["fetch"]): { addr: { port: number }; shutdown(): Promise<void> };
};

export function listen(opts: ListenOptions): Listener {
  const g = globalThis as { Bun?: BunLike; Deno?: DenoLike };
  if (g.Bun) {
    const server = g.Bun.serve({ port: opts.port, hostname: opts.hostname ?? "0.0.0.0", fetch: opts.fetch, idleTimeout: opts.idleTimeoutSeconds ?? 30 });
    return { port: server.port, stop: (force = false) => server.stop(force) };
  }
  if (g.Deno) {
    const server = g.Deno.serve({ port: opts.port, hostname: opts.hostname ?? "0.0.0.0", onListen: () => {} }, opts.fetch);
    return { port: server.addr.port, stop: () => server.shutdown() };
  }
  throw new Error("listen: no supported runtime (Bun or Deno) found");
}
