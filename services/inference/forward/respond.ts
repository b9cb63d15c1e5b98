// Responses the service sends from a backend's answer: JSON bodies and unbuffered event streams, with the platform's headers.
import { addSecurityHeaders } from "../../../lib/http/proxy/security-headers.ts";

export function jsonResponse(
  body: string | Uint8Array,
  requestId: string,
  status = 200,
  contentType = "application/json",
  extra?: Record<string, string>,
): Response {
  const headers: Record<string, string> = { ...extra, "content-type": contentType, "x-request-id": requestId };
  addSecurityHeaders(headers);
  return new Response(body as BodyInit, { status, headers });
}

/** An event stream no proxy on the way should hold back: no-cache, and nginx's buffering switched off. */
export function eventStreamResponse(body: ReadableStream<Uint8Array>, requestId: string, extra?: Record<string, string>): Response {
  const headers: Record<string, string> = {
    ...extra,
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
    "x-accel-buffering": "no",
    "x-request-id": requestId,
  };
  addSecurityHeaders(headers);
  return new Response(body, { status: 200, headers });
}
