// Request side of streamed usage: ask the backend for the usage chunk, and remember whether the client asked for it itself.

export interface PreparedChatRequest {
  /** The body to send upstream: for `stream: true`, with `stream_options.include_usage` set. */
  body: Record<string, unknown>;
  /** Whether the response is streamed (SSE). */
  stream: boolean;
  /** Whether the client itself asked for the usage chunk; when not, the gateway strips it from the stream. */
  clientWantsUsage: boolean;
}

/**
 * Prepares a parsed chat-completions body. The input is not changed: a streamed request gets a shallow copy with
 * `stream_options: {...its own options, include_usage: true}`, so every stream ends with the backend's true usage.
 * Non-streamed bodies pass through as they are (their response carries `usage` anyway).
 */
export function prepareChatRequest(body: Record<string, unknown>): PreparedChatRequest {
  if (body.stream !== true) return { body, stream: false, clientWantsUsage: true };
  const own = body.stream_options;
  const options = typeof own === "object" && own !== null && !Array.isArray(own) ? (own as Record<string, unknown>) : {};
  const clientWantsUsage = options.include_usage === true;
  if (clientWantsUsage) return { body, stream: true, clientWantsUsage };
  return { body: { ...body, stream_options: { ...options, include_usage: true } }, stream: true, clientWantsUsage };
}
