// The webhook channel: POSTs the notification as JSON with Idempotency-Key = event id; 4xx is permanent, 5xx/timeouts transient.
import { withClientSpan } from "../../../lib/telemetry/http-spans.ts";
import { TRACING_OFF, type Tracing } from "../../../lib/telemetry/tracer.ts";
import { type Channel, ChannelError } from "./channel.ts";

export interface WebhookOptions {
  url: string;
  timeoutMs: number;
  userAgent?: string;
  fetch?: typeof fetch;
  /** A client span per call when on (default: off). */
  tracing?: Tracing | undefined;
}

/** 4xx answers that mean "not now" rather than "never": retried like 5xx. */
const RETRYABLE_4XX = new Set([408, 425, 429]);
const MAX_RETRY_AFTER_MS = 3_600_000;

/** Retry-After as delay-seconds or an HTTP date (RFC 9110 §10.2.3); undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const ms = /^\d+$/.test(header.trim()) ? Number(header.trim()) * 1000 : Date.parse(header) - now;
  return Number.isFinite(ms) && ms >= 0 ? Math.min(ms, MAX_RETRY_AFTER_MS) : undefined;
}

export function createWebhookChannel(opts: WebhookOptions): Channel {
  const doFetch = opts.fetch ?? fetch;
  const userAgent = opts.userAgent ?? "bun-platform-notifications";
  const tracing = opts.tracing ?? TRACING_OFF;
  return {
    name: "webhook",
    async send(n, { traceparent }) {
      let res: Response;
      try {
        const headers: Record<string, string> = { "content-type": "application/json", "idempotency-key": n.eventId, traceparent, "user-agent": userAgent };
        const call = () =>
          doFetch(opts.url, { method: "POST", headers, body: JSON.stringify(n), redirect: "manual", signal: AbortSignal.timeout(opts.timeoutMs) });
        // Tracing on: a client span, whose traceparent replaces the worker's.
        res = tracing.enabled ? await withClientSpan(tracing.tracer, { method: "POST", url: opts.url, headers }, call) : await call();
      } catch (err) {
        const timedOut = err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError");
        throw new ChannelError(timedOut ? `webhook timed out after ${opts.timeoutMs} ms` : `webhook unreachable: ${errorText(err)}`, { permanent: false });
      }
      // The body is not used; read it so the connection can be reused (bounded by the same timeout).
      await res.arrayBuffer().catch(() => {});
      if (res.status >= 200 && res.status < 300) return;
      const what = `webhook answered ${res.status}`;
      if (res.status >= 500 || RETRYABLE_4XX.has(res.status)) {
        throw new ChannelError(what, { permanent: false, retryAfterMs: retryAfterMs(res.headers.get("retry-after")) });
      }
      // 3xx (we never follow redirects with a POST) and the other 4xx: the receiver will never accept this request.
      throw new ChannelError(what, { permanent: true });
    },
  };
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));
