// A backend's complete (non-streamed) answer: read under the limits, and its errors turned into the platform's problems.
import { AppError } from "../../../lib/http/app-error.ts";
import type { ModelPool } from "../backends/pool.ts";
import type { Call } from "./call.ts";
import type { Dispatched } from "./dispatch.ts";
import { DECLARED_READ_MAX_BYTES, readDeclared, readWhole } from "./read-whole.ts";

export interface Answer {
  status: number;
  contentType: string;
  bytes: Uint8Array;
}

/** Reads the whole body (idle, total and size limits apply) and releases the backend. */
export async function readAnswer(d: Dispatched, pool: ModelPool, call: Call): Promise<Answer> {
  const { limits, name } = pool.spec;
  try {
    const length = d.res.headers.get("content-length");
    const declared = length === null ? Number.NaN : Number(length);
    if (declared > limits.maxResponseBytes) {
      await d.res.body?.cancel().catch(() => {});
      throw new AppError("backend_response_too_large", { detail: `${name}: the model server's answer exceeds ${limits.maxResponseBytes} bytes.` });
    }
    // `res.body` is not touched on the short path: reading it makes the JS stream bytes() does without.
    const bytes =
      declared <= DECLARED_READ_MAX_BYTES
        ? await readDeclared(d.res, limits.idleTimeoutMs, call, name)
        : d.res.body
          ? await readWhole(d.res.body, limits.idleTimeoutMs, call, name, limits.maxResponseBytes)
          : new Uint8Array(0);
    return { status: d.res.status, contentType: d.res.headers.get("content-type") ?? "application/json", bytes };
  } finally {
    d.release();
  }
}

const MAX_DETAIL = 500;

/** The message in `{"error": "…"}` (OIP) or `{"error": {"message": "…"}}` (OpenAI), cut short and stripped of control characters. */
export function backendMessage(bytes: Uint8Array): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return undefined;
  }
  const error = (parsed as { error?: unknown } | null)?.error;
  const message = typeof error === "string" ? error : (error as { message?: unknown } | null)?.message;
  if (typeof message !== "string") return undefined;
  const clean = message.replace(/\p{Cc}+/gu, " ").trim();
  return clean.length > MAX_DETAIL ? `${clean.slice(0, MAX_DETAIL)}…` : clean;
}

/**
 * A backend's error answer as a problem: its refusal of the input (4xx) is the caller's to fix (422 inference_rejected);
 * anything else (5xx, a 404 for a model the registry says it serves) is the platform's (502 backend_error).
 */
export function backendFailure(answer: Answer, model: string): AppError {
  const message = backendMessage(answer.bytes);
  const clientSide = answer.status >= 400 && answer.status < 500 && answer.status !== 404 && answer.status !== 408;
  if (clientSide) return new AppError("inference_rejected", { detail: `${model}: ${message ?? `the model server answered ${answer.status}`}.` });
  return new AppError("backend_error", { detail: `${model}: the model server answered ${answer.status}${message ? `: ${message}` : ""}.` });
}
