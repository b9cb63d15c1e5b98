// The span of one model call, named and attributed after the OpenTelemetry GenAI semantic conventions (gen_ai.*).
import { type Context, context, type Span, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import type { Tracing } from "../../../lib/telemetry/tracer.ts";
import type { Operation } from "../metrics/inference-metrics.ts";
import { PROVIDER } from "../metrics/inference-metrics.ts";
import type { ModelSpec } from "../registry/model-spec.ts";
import type { TokenUsage } from "../usage/token-usage.ts";

export interface ModelSpanEnd {
  /** The backend that answered (its name at that backend, and its host:port). */
  backend?: { model: string; name: string } | undefined;
  usage?: TokenUsage | undefined;
  /** The problem code when the call failed. */
  error?: string | undefined;
}

export interface ModelSpan {
  /** The context to run the call in: backend client spans become this span's children. */
  context: Context;
  end(result: ModelSpanEnd): void;
}

/**
 * Starts `{operation} {model}` as a child of the request's server span, only when that span is recorded (an unsampled
 * request gets none, as the HTTP client spans do). Attributes carry registry names and counts, never request content.
 */
export function startModelSpan(tracing: Tracing, op: Operation, spec: ModelSpec, maxTokens?: number): ModelSpan | undefined {
  if (!tracing.enabled || !trace.getActiveSpan()?.isRecording()) return undefined;
  const attributes: Record<string, string | number> = {
    "gen_ai.operation.name": op,
    "gen_ai.provider.name": PROVIDER[spec.protocol],
    "gen_ai.request.model": spec.name,
  };
  if (maxTokens !== undefined) attributes["gen_ai.request.max_tokens"] = maxTokens;
  const span: Span = tracing.tracer.startSpan(`${op} ${spec.name}`, { kind: SpanKind.INTERNAL, attributes });
  return {
    context: trace.setSpan(context.active(), span),
    end({ backend, usage, error }) {
      if (backend) {
        span.setAttribute("gen_ai.response.model", backend.model);
        span.setAttribute("server.address", backend.name);
      }
      if (usage) {
        span.setAttribute("gen_ai.usage.input_tokens", usage.inputTokens);
        span.setAttribute("gen_ai.usage.output_tokens", usage.outputTokens);
        if (usage.estimated) span.setAttribute("inference.usage.estimated", true);
      }
      if (error !== undefined) {
        span.setAttribute("error.type", error);
        // The caller's own refusals and mistakes are no failure of the service (as with 4xx server spans).
        if (error !== "client_closed_request" && error !== "inference_rejected" && error !== "rate_limited") span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end();
    },
  };
}
