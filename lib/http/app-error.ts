// AppError: the one exception type handlers throw to answer with a problem+json response.
import type { ErrorCode } from "./error-codes.ts";

export interface ValidationIssue {
  /** Where the problem is: "body.items[0].quantity", "query.limit", "header.idempotency-key". */
  path: string;
  message: string;
}

export interface AppErrorOptions {
  detail?: string;
  headers?: Record<string, string>;
  errors?: ValidationIssue[];
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly detail: string | undefined;
  readonly headers: Record<string, string> | undefined;
  readonly errors: ValidationIssue[] | undefined;

  constructor(code: ErrorCode, opts: AppErrorOptions = {}) {
    super(opts.detail ?? code);
    this.name = "AppError";
    this.code = code;
    this.detail = opts.detail;
    this.headers = opts.headers;
    this.errors = opts.errors;
  }
}
