// The usage step counts a prompt with the tokenizer only where the figure is needed: for a budget before the call, or for an estimate after it.
import { describe, expect, test } from "bun:test";
import type { InferenceMetrics } from "../metrics/inference-metrics.ts";
import type { ModelSpec } from "../registry/model-spec.ts";
import { createTokenBudget } from "./token-budget.ts";
import { createUsageStep } from "./usage-step.ts";

const model = { name: "echo-chat", group: "chat", limits: { maxOutputTokens: 100, maxSseLineBytes: 1 << 20 } } as unknown as ModelSpec;
// Only what the step calls: the series of an operation (none here) and the refusal counter.
const metrics = { budgetRefused: () => {}, model: () => ({ operations: {} }) } as unknown as InferenceMetrics;
const body = { model: "echo-chat", max_tokens: 10, messages: [{ role: "user", content: "one two three four" }] };
const reported = new TextEncoder().encode(JSON.stringify({ choices: [], usage: { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 } }));
const unreported = new TextEncoder().encode(JSON.stringify({ choices: [{ message: { role: "assistant", content: "five six" } }] }));

function step(policies: { group: string; tokensPerMinute: number }[]) {
  const counted: string[] = [];
  let loads = 0;
  const count = (text: string) => {
    counted.push(text);
    return text.split(" ").length;
  };
  const usage = createUsageStep({ budget: createTokenBudget({ policies }), count, startLoading: () => loads++, metrics });
  return { counted, usage, loads: () => loads };
}

describe("usage step: counting the prompt", () => {
  test("without a budget for the model's group, nothing is counted before the call, nor after one that reports usage", async () => {
    const { counted, usage, loads } = step([]);
    const session = await usage({ model, operation: "chat", caller: "alice", body, stream: false });
    expect(counted).toEqual([]);
    // The tokenizer's table is loaded all the same, so a later estimate is exact.
    expect(loads()).toBe(1);
    session.answer?.(reported);
    expect(session.settle({ ok: true })).toMatchObject({ inputTokens: 7, outputTokens: 3, estimated: false });
    expect(counted).toEqual([]);
  });

  test("without a budget, a backend that reports no usage gets the prompt counted at the end, for the estimate", async () => {
    const { counted, usage } = step([]);
    const session = await usage({ model, operation: "chat", caller: "alice", body, stream: false });
    session.answer?.(unreported);
    const settled = session.settle({ ok: true });
    expect(counted).toContain("one two three four");
    expect(settled).toMatchObject({ outputTokens: 2, estimated: true });
    expect(settled?.inputTokens).toBeGreaterThan(4);
  });

  test("with a budget, the prompt is counted before the call and reserved with max_tokens", async () => {
    const { counted, usage } = step([{ group: "chat", tokensPerMinute: 1_000 }]);
    const session = await usage({ model, operation: "chat", caller: "alice", body, stream: false });
    expect(counted).toContain("one two three four");
    // RateLimit headers show the reservation: prompt estimate + max_tokens (10) taken from the 1,000.
    expect(Number(/r=(\d+)/.exec(session.headers?.ratelimit ?? "")?.[1])).toBeLessThan(1_000 - 10 - 4);
  });
});
