// The OpenAI-shaped `error` member a problem carries on the OpenAI-compatible paths, for the SDKs that read only that.
//
// OpenAI's own SDKs build their error from the body's `error` member alone: given a bare problem+json body, the
// Node SDK (openai 7.x) throws "429 status code (no body)" with no code, and the detail is lost to the caller. The
// problem stays as it is (RFC 9457, `code` stable, the platform's convention); the member repeats it in OpenAI's shape.
import { ERROR_CODES, type ErrorCode } from "./error-codes.ts";
import { PROBLEM_CONTENT_TYPE, type Problem } from "./problem.ts";

export interface OpenAiErrorObject {
  message: string;
  type: string;
  /** The first field a validation problem names ("body.messages"), else null. */
  param: string | null;
  /** The problem's `code`. */
  code: string;
}

/** The paths OpenAI clients call: chat completions, embeddings and the model list. */
const OPENAI_PATHS: ReadonlySet<string> = new Set(["/v1/chat/completions", "/v1/embeddings", "/v1/models"]);

export const isOpenAiPath = (path: string): boolean => OPENAI_PATHS.has(path);

/** The error type OpenAI-compatible servers use for the status (5xx: server_error, as in the stream's error event). */
function errorType(status: number): string {
  if (status >= 500) return "server_error";
  if (status === 401) return "authentication_error";
  if (status === 403) return "permission_error";
  if (status === 404) return "not_found_error";
  if (status === 429) return "rate_limit_error";
  return "invalid_request_error";
}

export function openAiErrorOf(p: Pick<Problem, "title" | "status" | "code" | "detail" | "errors">): OpenAiErrorObject {
  return { message: p.detail ?? p.title, type: errorType(p.status), param: p.errors?.[0]?.path ?? null, code: p.code };
}

/** The same response with the `error` member added when it is a problem; any other response as it is. */
export async function withOpenAiError(res: Response): Promise<Response> {
  if (!res.headers.get("content-type")?.startsWith(PROBLEM_CONTENT_TYPE)) return res;
  let problem: Problem;
  try {
    problem = (await res.clone().json()) as Problem;
  } catch {
    return res;
  }
  if (typeof problem !== "object" || problem === null || "error" in problem) return res;
  const body = JSON.stringify({ ...problem, error: openAiErrorOf(problem) });
  const headers = new Headers(res.headers);
  headers.delete("content-length");
  return new Response(body, { status: res.status, headers });
}

const encoder = new TextEncoder();

/**
 * The OpenAI-shaped error event that ends a stream which cannot go on (`code` is the platform's problem code), with
 * the four members of OpenAI's own error object: OpenAI's SDKs raise it as an APIError with that code, the Vercel AI
 * SDK as a stream error part (and sends the call again when told to retry streams), where a cut connection would be a
 * bare network error.
 */
export function openAiErrorEvent(code: ErrorCode, message?: string): Uint8Array {
  const { status, title } = ERROR_CODES[code];
  return encoder.encode(`data: ${JSON.stringify({ error: openAiErrorOf({ title, status, code, detail: message }) })}\n\n`);
}
