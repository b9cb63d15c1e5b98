// Outbound HTTP to one upstream: a deadline for the response headers, retries of idempotent calls with backoff, and a circuit breaker.
import { TRACING_OFF, type Tracing } from "../../telemetry/tracer.ts";
import { type BackoffOptions, backoffDelayMs, isIdempotent } from "./backoff.ts";
import { type CircuitBreaker, REJECTED } from "./circuit-breaker.ts";
import { withClientSpans } from "./client-spans.ts";
import { type ConnectProbe, createConnectProbe } from "./connect-probe.ts";

export type UpstreamFailureKind = "circuit_open" | "timeout" | "network" | "aborted";

/** Why an upstream call produced no response; the caller maps it to 503 / 504 / 502. */
export class UpstreamError extends Error {
  override name = "UpstreamError";
  readonly kind: UpstreamFailureKind;
  readonly upstream: string;
  /** circuit_open: when the next probe may go out. */
  readonly retryAfterMs: number;
  /** timeout: whether the upstream did not even accept a connection in time (the connect timeout). */
  readonly connect: boolean;
  constructor(upstream: string, kind: UpstreamFailureKind, opts: { retryAfterMs?: number; cause?: unknown; connect?: boolean } = {}) {
    super(`${upstream}: ${opts.connect ? "connect " : ""}${kind}`, { cause: opts.cause });
    this.kind = kind;
    this.upstream = upstream;
    this.retryAfterMs = opts.retryAfterMs ?? 0;
    this.connect = opts.connect ?? false;
  }
}

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface UpstreamClientOptions {
  name: string;
  /** Origin plus optional base path, without a trailing slash: `http://orders:8081`. */
  baseUrl: string;
  /** The whole call, retries included, must have response headers within this (then 504). */
  responseTimeoutMs: number;
  /**
   * A call still without response headers after this long fails at once (504, `connect: true`) unless the upstream
   * accepts TCP connections, instead of waiting out the response deadline. fetch() has no connect phase of its own: a
   * shared probe (`probe`) checks, started when the call has waited half this time (`probeWindowMs`), so calls answered
   * sooner never probe and the verdict is in at the connect timeout. Unset, or not below the response deadline: no check.
   */
  connectTimeoutMs?: number;
  /** Default: a TCP connect probe to `baseUrl`'s host and port that gives up after `probeWindowMs(connectTimeoutMs)`. */
  probe?: ConnectProbe;
  /** Retries after the first attempt, for idempotent bodiless requests only (default 2). */
  maxRetries?: number;
  backoff?: BackoffOptions;
  breaker: CircuitBreaker;
  /** Response statuses that mean "the upstream is unwell": they count as breaker failures and may be retried. */
  failureStatuses?: ReadonlySet<number>;
  fetch?: FetchLike;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  /** A client span per call when on (default: off). */
  tracing?: Tracing;
}

export interface UpstreamRequest {
  method: string;
  /** Path and query, starting with "/". */
  target: string;
  headers: Headers;
  body?: BodyInit | null;
  /** Aborts the call (e.g. the client went away) while waiting for the response headers. */
  signal?: AbortSignal | null;
  /**
   * `signal` also aborts the response body after the headers (its listener is left on it): for a caller that reads the
   * body whole with bytes() or arrayBuffer(), which have no reader to cancel. Off: the body is the caller's to cancel.
   */
  signalCoversBody?: boolean;
  /** Route template for the client span's name when tracing ("/v1/orders/*"). */
  route?: string;
}

export interface UpstreamClient {
  readonly name: string;
  readonly breaker: CircuitBreaker;
  /** Resolves with the upstream's response (body still streaming) or rejects with UpstreamError. */
  send(req: UpstreamRequest): Promise<Response>;
}

const DEFAULT_FAILURE_STATUSES: ReadonlySet<number> = new Set([502, 503, 504]);
const TIMED_OUT = Symbol("upstream response timeout");
const CONNECT_TIMED_OUT = Symbol("upstream connect timeout");
const CLIENT_GONE = Symbol("client went away");
const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * How long before the connect timeout the probe starts, and so how long a connection may take to open: half the
 * timeout. A probe started at the timeout itself would push a hung upstream's answer to twice the setting.
 */
export const probeWindowMs = (connectTimeoutMs: number): number => Math.ceil(connectTimeoutMs / 2);

/** One attempt's deadline state, handed to its timer (no closure per call). */
interface Attempt {
  readonly ac: AbortController;
  readonly deadline: number;
  /** When the connect check decides (epoch ms); after it, the next firing is the response deadline. */
  readonly connectAt: number;
  timer: ReturnType<typeof setTimeout> | undefined;
  /** The probe's verdict once in: undefined while it runs (at the connect timeout, that counts as not accepting). */
  accepting: boolean | undefined;
  /** The connect check is started (probing) or decided (decided). */
  phase: "waiting" | "probing" | "decided";
  /** Response headers arrived or the call failed: late timers and probe verdicts do nothing. */
  settled: boolean;
}

/**
 * Aborts `ac` when the caller's signal does; returns the listener to remove. Made outside `send`: a closure made in an
 * async function keeps all of its variables reachable (the request and its body among them), and with
 * `signalCoversBody` this listener stays until the answer's body ends, a whole stream.
 */
function followAbort(signal: AbortSignal, ac: AbortController): () => void {
  const onAbort = () => ac.abort(CLIENT_GONE);
  if (signal.aborted) ac.abort(CLIENT_GONE);
  else signal.addEventListener("abort", onAbort, { once: true });
  return onAbort;
}

export function createUpstreamClient(opts: UpstreamClientOptions): UpstreamClient {
  const fetchImpl: FetchLike = opts.fetch ?? ((input, init) => fetch(input, init));
  const maxRetries = opts.maxRetries ?? 2;
  const failureStatuses = opts.failureStatuses ?? DEFAULT_FAILURE_STATUSES;
  const sleep = opts.sleep ?? defaultSleep;
  const now = opts.now ?? Date.now;
  const { breaker, name } = opts;
  const connectTimeoutMs = opts.connectTimeoutMs;
  const probe =
    connectTimeoutMs === undefined ? undefined : (opts.probe ?? createConnectProbe({ baseUrl: opts.baseUrl, timeoutMs: probeWindowMs(connectTimeoutMs), now }));

  /**
   * The attempt's timer fired. Halfway to the connect timeout it starts the probe; at the connect timeout the call
   * fails unless the probe saw the upstream accept; at the deadline it ends.
   */
  const onTimer = (a: Attempt) => {
    if (a.settled) return;
    const t = now();
    if (probe !== undefined && a.phase === "waiting") {
      a.phase = "probing";
      probe().then((accepting) => {
        a.accepting = accepting;
      });
      a.timer = setTimeout(onTimer, Math.max(0, a.connectAt - t), a);
      return;
    }
    if (a.phase === "probing") {
      a.phase = "decided";
      if (a.accepting !== true) {
        a.ac.abort(CONNECT_TIMED_OUT);
        return;
      }
      if (a.deadline - t > 0) {
        a.timer = setTimeout(onTimer, a.deadline - t, a);
        return;
      }
    }
    a.ac.abort(TIMED_OUT);
  };

  const client: UpstreamClient = {
    name,
    breaker,
    async send(req) {
      const deadline = now() + opts.responseTimeoutMs;
      // A streamed body can be sent once only; bodiless idempotent requests are safe to repeat.
      const body = req.body ?? null;
      const retryable = maxRetries > 0 && isIdempotent(req.method) && body === null;
      const signal = req.signal;
      const url = opts.baseUrl + req.target;
      const init: RequestInit & { decompress?: boolean; duplex?: "half" } = {
        method: req.method,
        headers: req.headers,
        body,
        signal: null,
        redirect: "manual",
        // A proxy passes bytes through: Bun would otherwise gunzip and leave a wrong Content-Encoding.
        decompress: false,
      };
      if (body instanceof ReadableStream) init.duplex = "half";
      for (let n = 0; ; n++) {
        const permit = breaker.acquire();
        if (permit === REJECTED) throw new UpstreamError(name, "circuit_open", { retryAfterMs: breaker.retryAfterMs() });
        const budget = deadline - now();
        if (budget <= 0) {
          breaker.release(permit, "ignore");
          throw new UpstreamError(name, "timeout");
        }
        // One attempt, inline rather than a helper: this is the gateway's hot path, and every async layer costs.
        const ac = new AbortController();
        const checks = probe !== undefined && connectTimeoutMs !== undefined && connectTimeoutMs < budget;
        const start = now();
        const a: Attempt = {
          ac,
          deadline: start + budget,
          connectAt: checks ? start + connectTimeoutMs : 0,
          timer: undefined,
          accepting: undefined,
          phase: checks ? "waiting" : "decided",
          settled: false,
        };
        a.timer = setTimeout(onTimer, checks ? connectTimeoutMs - probeWindowMs(connectTimeoutMs) : budget, a);
        const onClientAbort = signal ? followAbort(signal, ac) : undefined;
        init.signal = ac.signal;
        let res: Response;
        try {
          res = await fetchImpl(url, init);
        } catch (cause) {
          const reason = ac.signal.aborted ? ac.signal.reason : undefined;
          const kind: UpstreamFailureKind = reason === undefined ? "network" : reason === CLIENT_GONE ? "aborted" : "timeout";
          breaker.release(permit, kind === "aborted" ? "ignore" : "failure");
          if (kind === "network" && retryable && n < maxRetries && (await pause(n, deadline))) continue;
          throw new UpstreamError(name, kind, { cause, connect: reason === CONNECT_TIMED_OUT });
        } finally {
          a.settled = true;
          clearTimeout(a.timer);
          if (onClientAbort && req.signalCoversBody !== true) signal?.removeEventListener("abort", onClientAbort);
        }
        const failed = failureStatuses.has(res.status);
        breaker.release(permit, failed ? "failure" : "success");
        if (failed && retryable && n < maxRetries) {
          if (await pause(n, deadline, () => res.body?.cancel())) continue;
        }
        return res;
      }
    },
  };
  // Decided once: with tracing off the client is exactly the untraced one.
  const tracing = opts.tracing ?? TRACING_OFF;
  if (tracing.enabled) client.send = withClientSpans(client.send, opts.baseUrl, tracing);
  return client;

  /** Waits the backoff before retry `n` when it fits before the deadline; false means "don't retry". */
  async function pause(n: number, deadline: number, discard?: () => unknown): Promise<boolean> {
    const delay = backoffDelayMs(n, opts.backoff);
    if (now() + delay >= deadline) return false;
    await discard?.();
    await sleep(delay);
    return true;
  }
}
