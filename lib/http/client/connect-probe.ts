// Whether an upstream accepts TCP connections in time: the connect phase that fetch() does not expose on its own.

/** Resolves true when a TCP connection to the upstream opened within the connect timeout, false otherwise. */
export type ConnectProbe = () => Promise<boolean>;

export interface ConnectProbeOptions {
  /** The upstream's origin (`http://orders:8081`); the probe connects to its host and port. */
  baseUrl: string;
  timeoutMs: number;
  /** How long a verdict is reused (default: the timeout, at most 1 s), so a slow upstream is not probed per request. */
  cacheMs?: number;
  now?: () => number;
  /** The connection attempt itself (tests replace it); resolves true on connect, false on error or timeout. */
  connect?: (host: string, port: number, timeoutMs: number) => Promise<boolean>;
}

/**
 * A single-flight TCP connect probe: concurrent callers share one attempt, and its verdict is kept for `cacheMs`.
 * It opens and closes a bare TCP connection (no bytes sent), which every HTTP server tolerates.
 */
export function createConnectProbe(opts: ConnectProbeOptions): ConnectProbe {
  const url = new URL(opts.baseUrl);
  const host = url.hostname.replace(/^\[|\]$/g, ""); // [::1] → ::1
  const port = Number(url.port || (url.protocol === "https:" ? 443 : 80));
  const cacheMs = opts.cacheMs ?? Math.min(opts.timeoutMs, 1_000);
  const now = opts.now ?? Date.now;
  const connect = opts.connect ?? tcpConnect;
  let inFlight: Promise<boolean> | undefined;
  let verdict = false;
  let verdictAt = Number.NEGATIVE_INFINITY;

  return () => {
    if (now() - verdictAt < cacheMs) return Promise.resolve(verdict);
    inFlight ??= connect(host, port, opts.timeoutMs).then((ok) => {
      verdict = ok;
      verdictAt = now();
      inFlight = undefined;
      return ok;
    });
    return inFlight;
  };
}

// node:net (and the node streams under it) is ~10 % of a start's CPU: loaded when the first probe runs, not at start.
let net: Promise<typeof import("node:net")> | undefined;

async function tcpConnect(host: string, port: number, timeoutMs: number): Promise<boolean> {
  net ??= import("node:net");
  const { createConnection } = await net;
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}
