// Renders RFC 9457 application/problem+json responses from error codes.

import type { ValidationIssue } from "./app-error.ts";
import { ERROR_CODES, type ErrorCode } from "./error-codes.ts";

export const PROBLEM_CONTENT_TYPE = "application/problem+json";

export interface Problem {
  type: string;
  title: string;
  status: number;
  code: ErrorCode;
  detail?: string;
  instance?: string;
  request_id?: string;
  errors?: ValidationIssue[];
}

/** Stable, dereference-free identifier of a problem type (RFC 9457 §3.1.1 allows any URI). */
export function problemType(code: ErrorCode): string {
  return `urn:problem-type:${code}`;
}

export interface ProblemInput {
  detail?: string | undefined;
  instance?: string | undefined;
  requestId?: string | undefined;
  errors?: ValidationIssue[] | undefined;
  headers?: Record<string, string> | undefined;
}

export function problemBody(code: ErrorCode, input: ProblemInput = {}): Problem {
  const { status, title } = ERROR_CODES[code];
  const body: Problem = { type: problemType(code), title, status, code };
  if (input.detail) body.detail = input.detail;
  if (input.instance) body.instance = input.instance;
  if (input.requestId) body.request_id = input.requestId;
  if (input.errors?.length) body.errors = input.errors;
  return body;
}

export function problemResponse(code: ErrorCode, input: ProblemInput = {}): Response {
  const body = problemBody(code, input);
  const headers = new Headers(input.headers);
  headers.set("content-type", PROBLEM_CONTENT_TYPE);
  if (input.requestId) headers.set("x-request-id", input.requestId);
  return new Response(JSON.stringify(body), { status: body.status, headers });
}
