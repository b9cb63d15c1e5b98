// Turns the database's idempotency outcome into the HTTP answer: stored response replayed, 409 or 422.
import { AppError } from "../../../lib/http/app-error.ts";

export type IdempotentOutcome =
  | { kind: "created"; status: number; body: string }
  | { kind: "replay"; status: number; body: string }
  | { kind: "in_flight" }
  | { kind: "mismatch" };

export function fromRow(row: { outcome: string; response_status: number | null; response_body: string | null } | undefined): IdempotentOutcome {
  switch (row?.outcome) {
    case "created":
    case "replay":
      return { kind: row.outcome, status: row.response_status ?? 500, body: row.response_body ?? "" };
    case "in_flight":
      return { kind: "in_flight" };
    case "mismatch":
      return { kind: "mismatch" };
    default:
      throw new Error(`unexpected idempotency outcome: ${row?.outcome}`);
  }
}

export const RETRY_AFTER_SECONDS = 1;

/** The response for an outcome: the stored bytes (flagged when replayed), or the matching problem. */
export function respond(outcome: IdempotentOutcome): Response {
  switch (outcome.kind) {
    case "created":
      return new Response(outcome.body, { status: outcome.status, headers: { "content-type": "application/json" } });
    case "replay":
      return new Response(outcome.body, {
        status: outcome.status,
        headers: { "content-type": "application/json", "idempotent-replayed": "true" },
      });
    case "in_flight":
      throw new AppError("idempotency_key_in_flight", {
        detail: "The first request with this key is still being processed; retry shortly.",
        headers: { "retry-after": String(RETRY_AFTER_SECONDS) },
      });
    case "mismatch":
      throw new AppError("idempotency_key_reused", { detail: "This Idempotency-Key was already used with a different request body or operation." });
  }
}
