// Counts tokens with a real BPE tokenizer (gpt-tokenizer, cl100k_base), loaded off the start path, for estimated usage.

/** The tokenizer's one function we use; tests and callers may pass another. */
export type CountTokens = (text: string) => number;

export interface TokenCounter {
  /** Tokens in `text`: exact BPE once the tokenizer is loaded; before that (the first few hundred ms) ≈ UTF-8 bytes / 4. */
  count(text: string): number;
  /** Settles when the tokenizer is loaded (main.ts may await it before reporting ready; tests await it). */
  readonly ready: Promise<void>;
  loaded(): boolean;
  /** Starts loading a counter made with `deferLoad` (a no-op otherwise, and the second time). */
  startLoading(): void;
}

export interface TokenCounterOptions {
  /** Loads the counting function; the default imports gpt-tokenizer's cl100k_base table (~230 ms, 1.2 MB of JS). */
  load?: () => Promise<CountTokens>;
  /**
   * Longest text counted exactly; beyond it the count is extrapolated from that prefix, so a large prompt costs at most
   * a few ms of event-loop time (about 45 ns per character here).
   */
  maxExactChars?: number;
  /**
   * Load at the first count() or startLoading(), not at creation: the service's start calls startLoading() when it
   * has an OpenAI model (the table's parsing holds the one thread, so it is paid before serving), and a replica that
   * serves only OIP models never pays for it. Counts before the table is loaded are approximate.
   */
  deferLoad?: boolean;
}

/**
 * cl100k_base rather than o200k_base: the models behind this gateway are not OpenAI's, so every BPE is an approximation
 * marked `estimated`; cl100k is as close for Llama/Qwen-style vocabularies and loads in half the time and size.
 * Special-token text such as "<|endoftext|>" in a prompt is counted as plain text instead of throwing.
 */
export async function loadCl100k(): Promise<CountTokens> {
  const { countTokens } = await import("gpt-tokenizer/encoding/cl100k_base");
  const plain = { disallowedSpecial: new Set<string>() };
  return (text) => countTokens(text, plain);
}

const encoder = new TextEncoder();
/** The stand-in until the tokenizer is loaded: English BPE averages about 4 bytes per token. */
export const approximateTokens: CountTokens = (text) => (text.length === 0 ? 0 : Math.ceil(encoder.encode(text).length / 4));

export function createTokenCounter(opts: TokenCounterOptions = {}): TokenCounter {
  const maxExact = opts.maxExactChars ?? 64 * 1024;
  let exact: CountTokens | undefined;
  const load = opts.load ?? loadCl100k;
  let startLoading = () => {};
  const loading = opts.deferLoad ? new Promise<void>((resolve) => (startLoading = resolve)).then(load) : load();
  const ready = loading.then((fn) => {
    exact = fn;
  });
  // A failed load leaves the approximation in place; whoever awaits `ready` sees the error, nobody else is disturbed.
  ready.catch(() => {});
  const count = (text: string): number => {
    if (exact === undefined) startLoading();
    const fn = exact ?? approximateTokens;
    if (text.length <= maxExact) return fn(text);
    const head = fn(text.slice(0, maxExact));
    return Math.ceil((head * text.length) / maxExact);
  };
  return { count, ready, loaded: () => exact !== undefined, startLoading: () => startLoading() };
}
