// One model call from the handler's side: deadline and client abort, admission, span, and its one end (usage, metrics, log).
import { context } from "@opentelemetry/api";
import { AppError } from "../../../lib/http/app-error.ts";
import { TRACING_OFF, type Tracing } from "../../../lib/telemetry/tracer.ts";
import type { Backend } from "../backends/backend.ts";
import type { ModelPool } from "../backends/pool.ts";
import type { InferenceHooks, UsageSession } from "../hooks.ts";
import type { CallRequest } from "../http/call-request.ts";
import { type ErrorType, errorTypeOf, type InferenceMetrics, type Operation, type OperationSeries } from "../metrics/inference-metrics.ts";
import { usageLogFields } from "../usage/token-usage.ts";
import { type Call, startCall } from "./call.ts";
import type { BackendRequest, DispatchHooks } from "./dispatch.ts";
import { startModelSpan } from "./genai-span.ts";
import type { OpenCalls } from "./open-calls.ts";

export interface CallDeps {
  hooks: InferenceHooks;
  metrics: InferenceMetrics;
  tracing?: Tracing;
  /** Where calls in progress are kept for the shutdown to end (start.ts); none in tests that do not shut down. */
  openCalls?: OpenCalls;
}

export interface CallScope {
  call: Call;
  /** The fields every attempt carries: one request id and trace parent across attempts. */
  ids: Pick<BackendRequest, "requestId" | "traceparent">;
  /** For dispatch: records each attempt and which backend answered. */
  dispatchHooks: DispatchHooks;
  /** A streamed answer's first chunk reached the client (time to first token). */
  firstToken(): void;
  /** A stream that outlives the handler takes over the ending: call the function it returns when the stream is over. */
  deferEnd(): (error?: AppError) => void;
}

export interface ModelCallOptions {
  /** The usage session of an OpenAI call: settled exactly once, when the call is over. */
  usage?: UsageSession | undefined;
  /** gen_ai.request.max_tokens for the span. */
  maxTokens?: number | undefined;
}

/** The error type of an admission refusal: the limiter's 429 is a full queue, its 503 a queue timeout. */
function admissionErrorType(err: unknown): ErrorType {
  if (!(err instanceof AppError)) return "_OTHER";
  if (err.code === "rate_limited") return "queue_full";
  if (err.code === "model_unavailable") return "queue_timeout";
  return errorTypeOf(err.code);
}

/**
 * Not async, and `run` makes no closures: an async function's variables all stay reachable from any closure made in
 * it, and `finish` and the scope's closures live as long as a stream does. Made here, they keep only what they use;
 * `work` (the handler's closure, holding the request body as text and parsed) is let go once it has returned.
 */
export function modelCall(
  deps: CallDeps,
  req: CallRequest,
  pool: ModelPool,
  op: Operation,
  work: (scope: CallScope) => Promise<Response>,
  opts: ModelCallOptions = {},
): Promise<Response> {
  const started = performance.now();
  const call = startCall(req.signal, pool.spec.limits.totalTimeoutMs);
  const slot = deps.openCalls?.add(call);
  const series: OperationSeries | undefined = op === "metadata" ? undefined : deps.metrics.model(pool.spec.name).operations[op];
  const span = startModelSpan(deps.tracing ?? TRACING_OFF, op, pool.spec, opts.maxTokens);
  let release: (() => void) | undefined;
  let answeredBy: Backend | undefined;
  let writeLog: ((fields: Record<string, unknown>) => void) | undefined;
  let deferred = false;
  let ended = false;
  const finish = (error?: { code: string; type: ErrorType }) => {
    if (ended) return;
    ended = true;
    call.end();
    if (slot !== undefined) deps.openCalls?.delete(slot);
    const usage = opts.usage?.settle({ ok: error === undefined });
    release?.();
    if (series) (error === undefined ? series.duration.ok : series.duration[error.type]).observe((performance.now() - started) / 1000);
    const backend = answeredBy && { model: answeredBy.spec.model, name: answeredBy.spec.name };
    span?.end({ backend, usage, error: error?.code });
    const fields: Record<string, unknown> = { model: pool.spec.name };
    if (backend) fields.backend = backend.name;
    if (usage) Object.assign(fields, usageLogFields(usage));
    if (error && deferred) fields.stream_error = error.code;
    if (writeLog) writeLog(fields);
    else req.addLogFields(fields);
  };
  const fail = (err: unknown, type?: ErrorType) => {
    const code = err instanceof AppError ? err.code : "internal_error";
    finish({ code, type: type ?? errorTypeOf(code) });
  };
  const scope: CallScope = {
    call,
    ids: { requestId: req.requestId, traceparent: req.traceparent },
    dispatchHooks: {
      onAttempt: (b, outcome, seconds) => {
        answeredBy = b;
        deps.metrics.attempt(b, outcome, seconds);
      },
    },
    firstToken: () => series?.timeToFirstToken.observe((performance.now() - started) / 1000),
    deferEnd: () => {
      deferred = true;
      writeLog = req.deferLogLine();
      return (error) => (error ? fail(error) : finish());
    },
  };
  const run = async (w: typeof work): Promise<Response> => {
    try {
      const admitted = deps.hooks.admit?.(pool.spec, call.signal);
      release = admitted instanceof Promise ? await admitted : admitted;
    } catch (err) {
      fail(err, admissionErrorType(err));
      throw err;
    }
    try {
      const res = await w(scope);
      if (!deferred) finish();
      return res;
    } catch (err) {
      fail(err);
      throw err;
    }
  };
  return span ? context.with(span.context, run, undefined, work) : run(work);
}
