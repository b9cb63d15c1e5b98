// The hot path for routed requests: authenticate, rate-limit, authorise, then stream to the upstream with a minted internal token.

import { methodNotAllowedDetail } from "../../../lib/http/method-not-allowed.ts";
import { isOpenAiPath, withOpenAiError } from "../../../lib/http/openai-error.ts";
import { upstreamRequestHeaders } from "../../../lib/http/proxy/forwarded-headers.ts";
import { createClientResponseBuilder } from "../../../lib/http/proxy/response.ts";
import { applySecurityHeaders } from "../../../lib/http/proxy/security-headers.ts";
import { requestIdFrom } from "../../../lib/http/request-id.ts";
import type { Logger } from "../../../lib/logging/logger.ts";
import { loggerRequestLine, type RequestLineWriter } from "../../../lib/logging/request-line.ts";
import { continueTrace, formatTraceparent, type TraceContext } from "../../../lib/telemetry/trace-context.ts";
import { TRACING_OFF, type Tracing } from "../../../lib/telemetry/tracer.ts";
import { bearerCandidate, bearerToken, CHALLENGE_INVALID, CHALLENGE_MISSING, insufficientScopeChallenge } from "../auth/bearer.ts";
import type { InternalTokenCache } from "../auth/internal-tokens.ts";
import { KeysUnavailableError } from "../auth/jwks-cache.ts";
import { allowedMethods, allows, findRule } from "../auth/permissions.ts";
import { type AuthFailureReason, TokenRejectedError, type UserIdentity, type UserTokenVerifier } from "../auth/user-token.ts";
import type { GatewayMetrics, MethodSeries } from "../metrics.ts";
import type { ClientIpResolver } from "../ratelimit/client-ip.ts";
import { rateLimitHeader } from "../ratelimit/policies.ts";
import type { Cors } from "./cors.ts";
import { type OpenStreams, type RelayEnd, relayEventStream } from "./event-stream-relay.ts";
import { failureResponse, Refusal } from "./refusals.ts";
import { BAD_LENGTH, declaredTooLarge, forwardableBody, TOO_LARGE } from "./request-body.ts";
import { isAmbiguousPath, type UpstreamRoute } from "./routes.ts";
import { endProxySpan, inProxySpan, startProxySpan } from "./tracing.ts";

export interface ProxyDeps {
  verifier: UserTokenVerifier;
  internalTokens: InternalTokenCache;
  clientIp: ClientIpResolver;
  cors: Cors;
  bodyLimitBytes: number;
  headerLimitBytes: number;
  maxTokenBytes: number;
  log: Logger;
  /** The per-request line; when absent, log.info("request", …) writes it (same shape, slower). */
  accessLog?: RequestLineWriter;
  metrics: GatewayMetrics;
  /** A server span per proxied request when on (default: off). */
  tracing?: Tracing;
  /** The event streams being relayed, for the shutdown to end (event-stream-relay.ts). */
  streams: OpenStreams;
}

export type ProxyHandler = (req: Request, route: UpstreamRoute, path: string, target: string, peer: string | undefined) => Promise<Response>;

interface Ctx {
  route: UpstreamRoute;
  path: string;
  target: string;
  peer: string | undefined;
  requestId: string;
  traceparent: string;
  origin: string | null;
  /** http_* series: the route's until the permission rule is found, then the rule's (its path template). */
  series: MethodSeries;
  /** The request's trace ids and start (performance.now()), for an access line written after the handler returned. */
  trace: Pick<TraceContext, "traceId" | "spanId">;
  started: number;
  /** An event stream is relayed: the relay writes the access line when the stream ends. */
  relayed?: true;
}

export function createProxyHandler(deps: ProxyDeps): ProxyHandler {
  const { verifier, internalTokens, metrics, log } = deps;
  const tracing = deps.tracing ?? TRACING_OFF;
  const clientResponse = createClientResponseBuilder();
  const accessLog: RequestLineWriter | undefined = deps.accessLog ?? (log.enabled("info") ? loggerRequestLine(log) : undefined);

  const invalidToken = (reason: AuthFailureReason, detail: string) => {
    metrics.authFailures[reason].inc();
    log.info("user token rejected", { reason: detail, failure: reason });
    return new Refusal("unauthorized", "unauthorized", {
      detail: "The access token is invalid or expired.",
      headers: { "www-authenticate": CHALLENGE_INVALID },
    });
  };

  /** Verified before and still valid: no parsing, no crypto, no promise. */
  const known = (header: string | null): UserIdentity | undefined => {
    const candidate = bearerCandidate(header);
    return candidate === undefined ? undefined : verifier.cached(candidate);
  };

  const authenticate = async (header: string | null): Promise<UserIdentity> => {
    const bearer = bearerToken(header, deps.maxTokenBytes);
    if ("missing" in bearer) {
      metrics.authFailures.missing.inc();
      throw new Refusal("unauthorized", "unauthorized", { detail: "A bearer token is required.", headers: { "www-authenticate": CHALLENGE_MISSING } });
    }
    if ("malformed" in bearer) throw invalidToken("malformed", "malformed authorization header");
    try {
      return await verifier.verify(bearer.token);
    } catch (err) {
      if (err instanceof TokenRejectedError) throw invalidToken(err.reason, err.message);
      if (err instanceof KeysUnavailableError) {
        metrics.authFailures.keys_unavailable.inc();
        throw new Refusal("keys_unavailable", "service_unavailable", { detail: "Tokens cannot be verified right now.", headers: { "retry-after": "5" } });
      }
      throw err;
    }
  };

  /** Request id, security and CORS headers on a response the gateway made itself (refusals, preflight, errors). */
  const finish = (res: Response, ctx: Ctx): Response => {
    res.headers.set("x-request-id", ctx.requestId);
    applySecurityHeaders(res.headers);
    deps.cors.apply(res.headers, ctx.origin);
    return res;
  };

  /** Everything from the edge checks to the upstream's response; the response it returns is complete. */
  const forward = async (req: Request, ctx: Ctx): Promise<Response> => {
    const { route, path } = ctx;
    const method = req.method;
    const h = req.headers;
    if (isAmbiguousPath(path)) throw new Refusal("bad_path", "bad_request", { detail: "The path has dot segments, empty segments or encoded separators." });
    const outgoing = upstreamRequestHeaders(h, deps.headerLimitBytes);
    if (outgoing === null)
      throw new Refusal("header_too_large", "request_header_too_large", { detail: `Request headers exceed ${deps.headerLimitBytes} bytes.` });
    const bodiless = method === "GET" || method === "HEAD";
    if (!bodiless && declaredTooLarge(req, deps.bodyLimitBytes))
      throw new Refusal("too_large", "payload_too_large", { detail: `Request body exceeds ${deps.bodyLimitBytes} bytes.` });

    const authorization = h.get("authorization");
    const identity = known(authorization) ?? (await authenticate(authorization));

    let left = route.limiter.take(identity.subject);
    if (typeof left !== "number") left = await left;
    const policy = route.limiter.policy;
    if (left < 0) {
      const retryAfter = String(Math.max(1, Math.ceil(-left / 1000)));
      route.metrics.rateLimited.inc();
      throw new Refusal("rate_limited", "rate_limited", {
        detail: "Too many requests; retry after the indicated time.",
        headers: { "retry-after": retryAfter, "ratelimit-policy": policy.policyHeader, ratelimit: rateLimitHeader(policy, 0) },
      });
    }

    const rule = findRule(route.rules, method, path);
    if (rule === undefined) {
      // As every service answers: a path the contract has, with another method, is 405 naming its methods (TRACE and
      // CONNECT included, and never forwarded); any other path is 404.
      const allow = allowedMethods(route.rules, path);
      if (allow.length > 0)
        throw new Refusal("method", "method_not_allowed", { detail: methodNotAllowedDetail(method, allow), headers: { allow: allow.join(", ") } });
      throw new Refusal("no_route", "not_found", { detail: "No route matches this path." });
    }
    ctx.series = rule.series;
    if (!allows(rule, identity.scopes)) {
      throw new Refusal("forbidden", "insufficient_scope", {
        detail: `This operation needs one of: ${rule.anyOf.join(", ")}.`,
        headers: { "www-authenticate": insufficientScopeChallenge(rule.anyOf) },
      });
    }

    const body = bodiless ? null : await forwardableBody(req, deps.bodyLimitBytes);
    if (body === TOO_LARGE) throw new Refusal("too_large", "payload_too_large", { detail: `Request body exceeds ${deps.bodyLimitBytes} bytes.` });
    if (body === BAD_LENGTH) throw new Refusal("bad_length", "bad_request", { detail: "Content-Length is not a number." });

    let token = internalTokens.tokenFor(identity, route.target);
    if (typeof token !== "string") token = await token;
    outgoing.authorization = `Bearer ${token}`;
    outgoing["x-request-id"] = ctx.requestId;
    outgoing.traceparent = ctx.traceparent;
    outgoing["x-forwarded-for"] = deps.clientIp(ctx.peer, h.get("x-forwarded-for"));
    outgoing["x-forwarded-proto"] = "http";
    outgoing.via = "1.1 gateway";

    // Uploads are tied to the client: if it goes away while the service works, the call is abandoned. Bodiless
    // requests skip that (an AbortSignal per request costs); the response timeout bounds them, and a response body
    // being streamed is cancelled with the client's connection either way.
    const signal = body === null ? null : req.signal;
    const sentAt = performance.now();
    const upstream = await route.client.send({
      method,
      target: ctx.target,
      headers: outgoing as HeadersInit as Headers,
      body: body as BodyInit | null,
      signal,
      route: rule.path,
    });
    route.metrics.upstreamDuration.observe((performance.now() - sentAt) / 1000);
    const res = clientResponse(upstream, {
      "ratelimit-policy": policy.policyHeader,
      ratelimit: rateLimitHeader(policy, left),
      "x-request-id": ctx.requestId,
      ...deps.cors.headersFor(ctx.origin),
    });
    return res.body !== null && res.headers.get("content-type")?.startsWith("text/event-stream") ? relayed(res, method, ctx) : res;
  };

  /**
   * An event stream goes through the relay, which can end it with an error event (the shutdown, a broken upstream).
   * Its access line is written when it ends, with the whole stream's duration and how it ended: written at the
   * response head, it said 200 for a stream the shutdown or a dead service cut short.
   */
  const relayed = (res: Response, method: string, ctx: Ctx): Response => {
    const headers = new Headers(res.headers);
    headers.delete("content-length"); // the relay may add an event
    const { status } = res;
    ctx.relayed = true;
    const onEnd = accessLog && ((how: RelayEnd) => accessLine(accessLog, ctx, method, status, performance.now() - ctx.started, how));
    const body = relayEventStream(res.body as ReadableStream<Uint8Array>, ctx.route.name, deps.streams, onEnd);
    return new Response(body, { status, statusText: res.statusText, headers });
  };

  const inFlight = metrics.http.inFlight;
  return async (req, route, path, target, peer) => {
    const started = performance.now();
    inFlight.inc();
    const h = req.headers;
    // Tracing on: a server span (its ids are logged and propagated); off: the ids only, no span (one check).
    const span = tracing.enabled ? startProxySpan(tracing.tracer, req, path) : undefined;
    const trace = span === undefined ? continueTrace(h.get("traceparent"), h.get("tracestate")) : span.trace;
    // Unsampled (most requests): the span's ids travel on, the forwarding runs outside any span context.
    const traced = span?.span.isRecording() ? span : undefined;
    const ctx: Ctx = {
      route,
      path,
      target,
      peer,
      requestId: requestIdFrom(h.get("x-request-id") ?? undefined),
      traceparent: formatTraceparent(trace),
      origin: h.get("origin"),
      series: route.metrics.unresolved,
      trace,
      started,
    };
    let res: Response;
    if (req.method === "OPTIONS" && ctx.origin !== null && h.has("access-control-request-method")) {
      res = finish(deps.cors.preflight(ctx.origin, h.get("access-control-request-headers")), ctx);
    } else {
      try {
        res = await (traced === undefined ? forward(req, ctx) : inProxySpan(traced, () => forward(req, ctx)));
      } catch (err) {
        const fail = () => finish(failureResponse(err, route, ctx.requestId, path, metrics, log), ctx);
        res = traced === undefined ? fail() : inProxySpan(traced, fail);
        // The gateway's own problems on the OpenAI-compatible paths carry OpenAI's `error` member, as inference's do.
        if (isOpenAiPath(path)) res = await withOpenAiError(res);
      }
    }
    if (traced !== undefined) endProxySpan(traced, req.method, route, path, res.status);
    const elapsed = performance.now() - started;
    const series = ctx.series(req.method);
    series.duration.observe(elapsed / 1000);
    series.status(res.status).inc();
    inFlight.dec();
    if (accessLog !== undefined && ctx.relayed === undefined) accessLine(accessLog, ctx, req.method, res.status, elapsed);
    return res;
  };
}

/** The request's access line; a relayed stream's carries `stream_error` when it did not end cleanly. */
function accessLine(write: RequestLineWriter, ctx: Ctx, method: string, status: number, ms: number, how?: RelayEnd): void {
  const { route, trace } = ctx;
  write(
    "info",
    { requestId: ctx.requestId, traceId: trace.traceId, spanId: trace.spanId, method, route: route.prefix, status, durationMs: Math.round(ms * 1000) / 1000 },
    how ? { upstream: route.name, stream_error: how } : { upstream: route.name },
  );
}
