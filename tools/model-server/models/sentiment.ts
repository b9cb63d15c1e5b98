// Sentiment scores with wink-nlp and its English lite web model, computed in process.
import model from "wink-eng-lite-web-model";
import winkNLP from "wink-nlp";

export interface SentimentModel {
  /** A score in [-1, 1]: below 0 negative, above 0 positive (wink's lexicon with negation handling). */
  score(text: string): number;
}

export function loadSentimentModel(): SentimentModel {
  // Only the pipes sentiment needs: sentence boundaries and negation ("not good" is negative).
  const nlp = winkNLP(model, ["sbd", "negation", "sentiment"]);
  const its = nlp.its;
  return { score: (text) => nlp.readDoc(text).out(its.sentiment) as unknown as number };
}
