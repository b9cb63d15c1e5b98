// The common chat body recognised without zod, for the hot path: a yes means ChatCompletionRequest accepts it unchanged.
//
// Streamed calls are sparse, so each runs the schema's generic walk with cold caches: decoding, parsing and validating
// a 200-byte chat body took a median 48-55 us of the service's time before the backend call (stage marks, two runs
// of 40 streams after 3,000 warm-up calls, 2-core machine), the largest step there; with this check, 24 us. The schema reads little (model, messages'
// roles, stream, max_tokens) and passes the rest on, so the check is short; anything it does not recognise goes through
// the schema, which names the problem. Its test holds the two to that over generated bodies.
/** handlers.ts's OpenAiBody, spelled out here so the two files do not import each other. */
type ChatBody = Record<string, unknown> & { model: string; stream?: boolean };

const MAX_MODEL = 256;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** True only for a body ChatCompletionRequest accepts and returns unchanged. */
export function isPlainChatRequest(value: unknown): value is ChatBody {
  // An own "__proto__" key (JSON.parse makes one) would become the prototype of the schema's copy: left to the schema.
  if (!isObject(value) || Object.hasOwn(value, "__proto__")) return false;
  const { model, messages, stream, max_tokens } = value;
  if (typeof model !== "string" || model.length < 1 || model.length > MAX_MODEL) return false;
  if (stream !== undefined && typeof stream !== "boolean") return false;
  if (max_tokens !== undefined && !(Number.isSafeInteger(max_tokens) && (max_tokens as number) >= 1)) return false;
  if (!Array.isArray(messages) || messages.length < 1) return false;
  for (const m of messages) if (!isObject(m) || Object.hasOwn(m, "__proto__") || typeof m.role !== "string") return false;
  return true;
}
