// IETF RateLimit / RateLimit-Policy header values (draft-ietf-httpapi-ratelimit-headers) for a token budget, plus Retry-After.
import type { BudgetState } from "./token-budget.ts";

/**
 * The policy is named `<group>-tokens`, so it is not mistaken for the gateway's request-rate policy of the same route
 * group. The draft's `qu` (quota unit) parameter is left out: its registry knows requests, bytes and concurrency, not
 * tokens. The window is one minute, the bucket's refill period.
 */
export function tokenBudgetHeaders(state: BudgetState, retryAfterSeconds?: number): Record<string, string> {
  const name = `"${state.policy.group}-tokens"`;
  const headers: Record<string, string> = {
    "ratelimit-policy": `${name};q=${state.policy.tokensPerMinute};w=60`,
    ratelimit: `${name};r=${state.remaining};t=${state.resetSeconds}`,
  };
  if (retryAfterSeconds !== undefined && retryAfterSeconds > 0) headers["retry-after"] = String(Math.ceil(retryAfterSeconds));
  return headers;
}
