// Maps zod validation failures to problem+json: body → 422 validation_failed, params/query/headers → 400.
import type { ZodError } from "zod";
import { AppError, type ValidationIssue } from "./app-error.ts";

const TARGET_PREFIX: Record<string, string> = { json: "body", form: "body", query: "query", param: "path", header: "header", cookie: "cookie" };

export function issuesOf(error: ZodError, prefix: string): ValidationIssue[] {
  return error.issues.slice(0, 50).map((i) => ({
    path: [prefix, ...i.path.map(String)].join("."),
    message: i.message,
  }));
}

/** The `defaultHook` for OpenAPIHono: throws AppError so the shared error handler renders it. */
export function validationHook(result: { target: string; success: boolean; error?: ZodError }): void {
  if (result.success || !result.error) return;
  const prefix = TARGET_PREFIX[result.target] ?? result.target;
  const errors = issuesOf(result.error, prefix);
  if (prefix === "body") throw new AppError("validation_failed", { detail: "The request body does not match the schema.", errors });
  throw new AppError("invalid_parameter", { detail: `Invalid ${prefix} parameter.`, errors });
}
