// fastText language identification (lid.176.ftz) and its sentence vectors, computed in process in WebAssembly.
import { FastTextModel, getFastTextModule } from "fasttext.wasm.js";
import wasmPath from "fasttext.wasm.js/dist/core/fastText.node.wasm" with { type: "file" };
// Imported as files so `bun build --compile` embeds both in the executable; the package's own loader finds them
// next to its sources on disk (import.meta.url), which a compiled program does not have.
import modelPath from "fasttext.wasm.js/dist/models/language-identification/assets/lid.176.ftz" with { type: "file" };

export interface LanguageGuess {
  /** The model's label without `__label__`: a Wikipedia language code, ISO 639-1 where one exists (`en`), else mostly ISO 639-3. */
  label: string;
  probability: number;
}

export interface LanguageModel {
  /** Top-k guesses for one text, best first. */
  identify(text: string, k?: number): LanguageGuess[];
  /** fastText's sentence vector (the average of the words' normalised vectors). */
  sentenceVector(text: string): Float32Array;
  readonly dimension: number;
  readonly labels: number;
}

type Core = { FastText: new () => Native; FS: { writeFile(path: string, data: Uint8Array): void }; _malloc(n: number): number; HEAPF32: Float32Array };
type Vec<T> = { size(): number; get(i: number): T; delete(): void };
type Native = {
  loadModel(path: string): void;
  predict(text: string, k: number, threshold: number): Vec<[number, string]>;
  getSentenceVector(buf: { ptr: number; size: number; buffer: ArrayBufferLike }, text: string): void;
  getLabels(): [Vec<string>, Vec<number>];
};

// fastText reads one line per call: a newline inside a text would silently cut it short.
const oneLine = (text: string) => text.replace(/[\r\n]+/g, " ");

export async function loadLanguageModel(): Promise<LanguageModel> {
  const wasmBinary = await Bun.file(wasmPath).bytes();
  const core = (await getFastTextModule({ wasmBinary } as never)) as unknown as Core;
  core.FS.writeFile("/lid.176.ftz", await Bun.file(modelPath).bytes());
  const ft = new core.FastText();
  ft.loadModel("/lid.176.ftz");
  const dimension = new FastTextModel(ft as never, core as never).getDimension();
  const [labelVec, countVec] = ft.getLabels();
  const labels = labelVec.size();
  labelVec.delete();
  countVec.delete();
  // One output buffer for every call: the package's getSentenceVector mallocs a fresh one per call and never frees it.
  const ptr = core._malloc(dimension * 4);
  return {
    dimension,
    labels,
    identify(text, k = 1) {
      const v = ft.predict(oneLine(text), Math.max(1, Math.min(k, labels)), 0);
      try {
        const out: LanguageGuess[] = [];
        for (let i = 0; i < v.size(); i++) {
          const [probability, label] = v.get(i);
          out.push({ label: label.replace("__label__", ""), probability });
        }
        return out;
      } finally {
        v.delete();
      }
    },
    sentenceVector(text) {
      ft.getSentenceVector({ ptr, size: dimension, buffer: core.HEAPF32.buffer }, `${oneLine(text)}\n`);
      // HEAPF32 is re-created when the wasm memory grows: read through the current view, and copy out.
      return core.HEAPF32.slice(ptr / 4, ptr / 4 + dimension);
    },
  };
}
