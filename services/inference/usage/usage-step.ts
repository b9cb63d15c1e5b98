// The `openaiUsage` hook: budget reserved before the call, usage asked for and read (or estimated), settled once after it.
import { AppError } from "../../../lib/http/app-error.ts";
import type { InferenceHooks, StreamTap, UsageSession } from "../hooks.ts";
import { type InferenceMetrics, recordTimePerOutputToken, recordUsage } from "../metrics/inference-metrics.ts";
import type { ModelSpec } from "../registry/model-spec.ts";
import { estimateChatPromptTokens, estimateEmbeddingInputTokens, maxOutputTokens } from "./estimate-tokens.ts";
import { usageOfJsonResponse, withUsage } from "./json-usage.ts";
import { tokenBudgetHeaders } from "./ratelimit-headers.ts";
import { SseFramingError } from "./sse-event-splitter.ts";
import { createUsageTapCore, type UsageTapCore } from "./sse-usage-tap.ts";
import { prepareChatRequest } from "./stream-options.ts";
import type { TokenBudget } from "./token-budget.ts";
import type { CountTokens } from "./token-counter.ts";
import type { TokenUsage } from "./token-usage.ts";

export interface UsageStepDeps {
  budget: TokenBudget;
  /** The token counter (exact once its table is loaded; approximate before). */
  count: CountTokens;
  /** Starts loading the counter's table (idempotent): called on every OpenAI call, counted or not, so it is there for the estimates. */
  startLoading?: () => void;
  metrics: InferenceMetrics;
}

type Refusal = Extract<ReturnType<TokenBudget["reserve"]>, { ok: false }>;

const EMPTY = new Uint8Array(0);
const decoder = new TextDecoder();
const encoder = new TextEncoder();

export function createUsageStep(deps: UsageStepDeps): NonNullable<InferenceHooks["openaiUsage"]> {
  const { budget, count, metrics } = deps;
  return ({ model, operation, caller, body, stream }) => {
    deps.startLoading?.();
    const chat = operation === "chat";
    // Counting the prompt runs the tokenizer over every message: done before the call only when a budget needs the
    // figure, otherwise only if the backend reports no usage and it has to be estimated.
    let counted: number | undefined;
    const prompt = () => (counted ??= chat ? estimateChatPromptTokens(body, count) : estimateEmbeddingInputTokens(body, count));
    const output = chat ? maxOutputTokens(body, model.limits.maxOutputTokens) : 0;
    const reserved = budget.reserve(caller, model.group, budget.limits(model.group) ? prompt() + output : 0);
    if (!reserved.ok) {
      metrics.budgetRefused(model.group);
      throw budgetRefusal(model, reserved, prompt(), output);
    }
    const series = metrics.model(model.name).operations[operation];
    const prepared = chat ? prepareChatRequest(body) : undefined;
    let answered: TokenUsage | undefined;
    let tap: UsageTapCore | undefined;
    let firstTokenMs: number | undefined;
    const session: UsageSession = {
      answer(bytes) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(decoder.decode(bytes));
        } catch {
          // Not JSON: nothing to read; the prompt is charged as estimated.
          answered = usageOfJsonResponse(undefined, prompt, count);
          return bytes;
        }
        answered = usageOfJsonResponse(parsed, prompt, count);
        const isObject = typeof parsed === "object" && parsed !== null && !Array.isArray(parsed);
        return answered.estimated && isObject ? encoder.encode(JSON.stringify(withUsage(parsed as Record<string, unknown>, answered))) : bytes;
      },
      settle({ ok }) {
        // A stream that sent something is charged what it generated (reported, or estimated so far); a call that
        // failed before any answer is refunded in full.
        const usage = answered ?? (tap && firstTokenMs !== undefined ? tap.usage() : undefined);
        budget.settle(reserved.reservation, usage?.totalTokens ?? 0);
        if (usage && series) recordUsage(series, usage, chat);
        if (ok && usage && series && tap && firstTokenMs !== undefined)
          recordTimePerOutputToken(series, { firstTokenMs, endMs: performance.now(), outputTokens: usage.outputTokens });
        return usage;
      },
    };
    if (reserved.state) session.headers = tokenBudgetHeaders(reserved.state);
    if (prepared && prepared.body !== body) session.body = prepared.body;
    if (stream && prepared) {
      const core = createUsageTapCore({
        stripUsageChunk: !prepared.clientWantsUsage,
        promptTokens: prompt,
        count,
        maxLineBytes: model.limits.maxSseLineBytes,
      });
      tap = core;
      session.tap = streamTap(core, model.name, () => (firstTokenMs ??= performance.now()));
    }
    return session;
  };
}

/** The tap on the SSE passthrough's complete lines; a framing error ends the stream like a broken backend. */
function streamTap(core: UsageTapCore, model: string, onChunk: () => void): StreamTap {
  return {
    chunk(lines) {
      onChunk();
      try {
        return core.push(lines) ?? EMPTY;
      } catch (err) {
        if (err instanceof SseFramingError)
          throw new AppError("backend_error", { detail: `${model}: the model server's event stream is malformed: ${err.message}.` });
        throw err;
      }
    },
    end: () => core.end(),
  };
}

function budgetRefusal(model: ModelSpec, r: Refusal, prompt: number, output: number): AppError {
  const { group, tokensPerMinute } = r.state.policy;
  const need = `${prompt + output} tokens (prompt ≈ ${prompt}, output up to ${output})`;
  if (r.reason === "exceeds_limit") {
    // More than a whole minute's budget: waiting never helps, a smaller max_tokens (or prompt) does.
    return new AppError("validation_failed", {
      detail: `${model.name}: this call may use ${need}, more than the ${tokensPerMinute} tokens per minute of budget group ${group}.`,
      errors: [{ path: "body.max_tokens", message: `prompt plus max_tokens must stay within ${tokensPerMinute} tokens` }],
    });
  }
  return new AppError("rate_limited", {
    detail: `${model.name}: the token budget of group ${group} (${tokensPerMinute} per minute) cannot cover ${need} now.`,
    headers: tokenBudgetHeaders(r.state, r.retryAfterSeconds),
  });
}
