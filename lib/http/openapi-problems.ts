// OpenAPI helpers: the Problem schema and per-route error responses, one example per documented code.
import { z } from "@hono/zod-openapi";
import { ERROR_CODES, type ErrorCode } from "./error-codes.ts";
import { problemBody } from "./problem.ts";

export const ProblemSchema = z
  .object({
    type: z.string().openapi({ description: "URI identifying the problem type (urn:problem-type:<code>)" }),
    title: z.string(),
    status: z.number().int(),
    code: z.enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]).openapi({ description: "Stable machine-readable error code" }),
    detail: z.string().optional(),
    instance: z.string().optional(),
    request_id: z.string().optional(),
    errors: z
      .array(z.object({ path: z.string(), message: z.string() }))
      .optional()
      .openapi({ description: "Field-level validation problems" }),
    error: z
      .object({ message: z.string(), type: z.string(), param: z.string().nullable(), code: z.string() })
      .optional()
      .openapi({
        description:
          "Only on the OpenAI-compatible paths (/v1/chat/completions, /v1/embeddings, /v1/models): the same problem as an OpenAI error object " +
          "(message = detail, code = code, param = the first field named in errors), the member OpenAI's SDKs read",
      }),
  })
  .openapi("Problem");

const EXAMPLE_DETAIL: Partial<Record<ErrorCode, string>> = {
  idempotency_key_in_flight: "The first request with this key is still being processed; retry shortly.",
  idempotency_key_reused: "This Idempotency-Key was already used with a different request body or operation.",
};

/** Error responses for a route, grouped by status, each code shown as a named example. */
export function problemResponses(...codes: ErrorCode[]) {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) {
    const status = ERROR_CODES[code].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const responses: Record<number, { description: string; headers?: Record<string, unknown>; content: Record<string, unknown> }> = {};
  for (const [status, group] of byStatus) {
    const examples = Object.fromEntries(
      group.map((code) => [code, { summary: ERROR_CODES[code].title, value: problemBody(code, { detail: EXAMPLE_DETAIL[code] ?? ERROR_CODES[code].title }) }]),
    );
    responses[status] = {
      description: group.map((c) => ERROR_CODES[c].title).join("; "),
      ...(status === 409 && group.includes("idempotency_key_in_flight")
        ? { headers: { "Retry-After": { description: "Seconds to wait before retrying (idempotency_key_in_flight)", schema: { type: "integer" } } } }
        : group.includes("database_unavailable") || group.includes("database_timeout")
          ? {
              headers: {
                "Retry-After": { description: "Seconds to wait before retrying (the database is temporarily unavailable)", schema: { type: "integer" } },
              },
            }
          : status === 401
            ? { headers: { "WWW-Authenticate": { description: "Bearer challenge (RFC 6750)", schema: { type: "string" } } } }
            : status === 405
              ? { headers: { Allow: { description: "Methods this path supports", schema: { type: "string" } } } }
              : {}),
      content: { "application/problem+json": { schema: ProblemSchema, examples } },
    };
  }
  return responses;
}
