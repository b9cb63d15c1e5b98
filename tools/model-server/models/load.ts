// Loads every model the server serves once at start, and measures how long each took.
import { type LanguageModel, loadLanguageModel } from "./fasttext.ts";
import { loadSentimentModel, type SentimentModel } from "./sentiment.ts";

export interface Models {
  language: LanguageModel;
  sentiment: SentimentModel;
  /** Milliseconds each model took to load, for the start-up log line. */
  loadMs: { language: number; sentiment: number };
}

export async function loadModels(): Promise<Models> {
  let t = performance.now();
  const language = await loadLanguageModel();
  const languageMs = performance.now() - t;
  t = performance.now();
  const sentiment = loadSentimentModel();
  const sentimentMs = performance.now() - t;
  return { language, sentiment, loadMs: { language: Math.round(languageMs), sentiment: Math.round(sentimentMs) } };
}
