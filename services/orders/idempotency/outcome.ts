// The database's idempotency outcome as data: the stored response (new or replayed), or why the key cannot be used now.

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
