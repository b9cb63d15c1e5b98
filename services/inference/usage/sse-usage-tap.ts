// An SSE transform for chat streams: forwards events unchanged as they complete, reads the usage chunk, strips it if unasked.
import { choicesText } from "./estimate-tokens.ts";
import { createSseSplitter, DROP, type EventDecision, KEEP } from "./sse-event-splitter.ts";
import type { CountTokens } from "./token-counter.ts";
import { estimatedUsage, parseOpenAiUsage, type TokenUsage, toOpenAiUsage } from "./token-usage.ts";

export interface SseUsageTapOptions {
  /** Drop the usage-only chunk (`choices: []` + `usage`): the client did not ask for it, the gateway did. */
  stripUsageChunk: boolean;
  /** The request's prompt estimate, asked for only when the backend reports no usage. */
  promptTokens: () => number;
  count: CountTokens;
  /** Longest SSE line (default 1 MiB) and largest event (default 4 lines' worth); past them the stream errors. */
  maxLineBytes?: number;
  maxEventBytes?: number;
  /** Event bytes kept for estimating output when no usage has come (default 4 MiB); beyond, the count is extrapolated. */
  maxRetainedBytes?: number;
  /** Called once when the stream ends: flushed, failed or cancelled. `completed` says whether `data: [DONE]` was seen. */
  onEnd?: (usage: TokenUsage, completed: boolean) => void;
}

/** A transform to `pipeThrough`, plus the usage so far (reported or estimated) for callers that stop early. */
export interface SseUsageTap extends ReadableWritablePair<Uint8Array, Uint8Array> {
  usage(): TokenUsage;
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();
const QUOTE = 0x22;
const USAGE_KEY = encoder.encode('"usage"');
const DONE = encoder.encode("[DONE]");

function indexOfBytes(hay: Uint8Array, needle: Uint8Array, from = 0): number {
  const first = needle[0] as number;
  for (let i = hay.indexOf(first, from); i !== -1 && i <= hay.length - needle.length; i = hay.indexOf(first, i + 1)) {
    let j = 1;
    while (j < needle.length && hay[i + j] === needle[j]) j++;
    if (j === needle.length) return i;
  }
  return -1;
}

/**
 * Whether the event holds a `"usage"` key with a non-null value, checked on the bytes: OpenAI sends `"usage":null` on
 * every chunk once usage is asked for, so only the chunk that carries it is parsed. A `"usage"` inside a JSON string
 * is escaped (`\"usage\"`) and never matches.
 */
function hasUsageValue(event: Uint8Array): boolean {
  for (let i = indexOfBytes(event, USAGE_KEY); i !== -1; i = indexOfBytes(event, USAGE_KEY, i + 1)) {
    let j = i + USAGE_KEY.length;
    while (event[j] === 0x20 || event[j] === 0x09) j++;
    if (event[j] !== 0x3a) continue; // ':'
    j++;
    while (event[j] === 0x20 || event[j] === 0x09) j++;
    if (event[j] !== 0x6e && event[j] !== undefined) return true; // not 'n'(ull)
  }
  return false;
}

/** The event's data: its `data:` lines joined by LF, as an SSE client would build it. */
export function eventData(event: Uint8Array): string | undefined {
  let data: string | undefined;
  for (const line of decoder.decode(event).split(/\r\n|\r|\n/)) {
    if (!line.startsWith("data:")) continue;
    const v = line.charCodeAt(5) === 0x20 ? line.slice(6) : line.slice(5);
    data = data === undefined ? v : `${data}\n${v}`;
  }
  return data;
}

function parseData(event: Uint8Array): Record<string, unknown> | undefined {
  const data = eventData(event);
  if (data === undefined || data === "[DONE]") return undefined;
  try {
    const v: unknown = JSON.parse(data);
    return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The tap without a stream around it: the service feeds it the lines its SSE passthrough forwards. */
export interface UsageTapCore {
  /** One chunk of the stream: what to forward now (undefined: nothing yet). Throws SseFramingError past a limit. */
  push(chunk: Uint8Array): Uint8Array | undefined;
  /** The stream ended cleanly: the held bytes of an unterminated event, if any. */
  end(): Uint8Array | undefined;
  /** The usage so far: the backend's once reported, else estimated from the prompt and the output seen. */
  usage(): TokenUsage;
  /** Whether `data: [DONE]` was seen. */
  completed(): boolean;
  /** Calls `onEnd` (once, whatever called it first). */
  finish(): void;
}

export function createUsageTapCore(opts: SseUsageTapOptions): UsageTapCore {
  const maxLine = opts.maxLineBytes ?? 1024 * 1024;
  const splitter = createSseSplitter(maxLine, opts.maxEventBytes ?? 4 * maxLine);
  const maxRetained = opts.maxRetainedBytes ?? 4 * 1024 * 1024;
  let reported: TokenUsage | undefined;
  let completed = false;
  let ended = false;
  // While no usage has come, the events are kept (as views, no copies) to count the output if none ever comes.
  let retained: Uint8Array[] = [];
  let retainedBytes = 0;
  let overflowBytes = 0;

  const estimate = (): TokenUsage => {
    let text = "";
    for (const e of retained) text += choicesText(parseData(e));
    let out = text === "" ? 0 : opts.count(text);
    if (overflowBytes > 0 && retainedBytes > 0) out += Math.ceil((out * overflowBytes) / retainedBytes);
    return estimatedUsage(opts.promptTokens(), out);
  };
  const usage = (): TokenUsage => reported ?? estimate();

  // The client asked for usage and the backend sent none: an estimated usage chunk goes before [DONE], headed by the
  // first chunk's id, created and model. Those are read here, from the retained events, and not as the first event
  // passes: that would decode and parse every stream's first event on its way to the client, for a chunk rarely sent.
  const estimatedChunk = (): Uint8Array => {
    let meta: Record<string, unknown> = {};
    for (const e of retained) {
      const parsed = e.indexOf(QUOTE) === -1 ? undefined : parseData(e);
      if (parsed) {
        meta = parsed;
        break;
      }
    }
    const chunk = { id: meta.id, object: "chat.completion.chunk", created: meta.created, model: meta.model, choices: [], usage: toOpenAiUsage(estimate()) };
    return encoder.encode(`data: ${JSON.stringify(chunk)}\n\n`);
  };

  const decide = (event: Uint8Array): EventDecision => {
    if (hasUsageValue(event)) {
      const obj = parseData(event);
      const u = obj && parseOpenAiUsage(obj.usage);
      if (obj && u) {
        reported = u;
        retained = [];
        if (opts.stripUsageChunk && Array.isArray(obj.choices) && obj.choices.length === 0) return DROP;
        return KEEP;
      }
    }
    if (!completed && indexOfBytes(event, DONE) !== -1 && eventData(event) === "[DONE]") {
      completed = true;
      if (!opts.stripUsageChunk && reported === undefined) return estimatedChunk();
      return KEEP;
    }
    if (reported === undefined) {
      if (retainedBytes + event.length <= maxRetained) {
        retained.push(event);
        retainedBytes += event.length;
      } else overflowBytes += event.length;
    }
    return KEEP;
  };

  const finish = () => {
    if (ended) return;
    ended = true;
    opts.onEnd?.(usage(), completed);
  };

  return {
    push: (chunk) => splitter.push(chunk, decide),
    end: () => splitter.end(decide),
    usage,
    completed: () => completed,
    finish,
  };
}

/** The tap as a TransformStream to `pipeThrough`: events forwarded as they complete, `onEnd` at the end, error or cancel. */
export function createSseUsageTap(opts: SseUsageTapOptions): SseUsageTap {
  const core = createUsageTapCore(opts);
  // `cancel` (the client went away, or the upstream failed) is in the Streams standard, Bun and Deno, not yet in TS's DOM types.
  const transformer: Transformer<Uint8Array, Uint8Array> & { cancel: (reason: unknown) => void } = {
    transform(chunk, controller) {
      try {
        const out = core.push(chunk);
        if (out) controller.enqueue(out);
      } catch (err) {
        core.finish();
        throw err;
      }
    },
    flush(controller) {
      const rest = core.end();
      if (rest) controller.enqueue(rest);
      core.finish();
    },
    cancel: () => core.finish(),
  };
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>(transformer);
  return { readable, writable, usage: core.usage };
}
