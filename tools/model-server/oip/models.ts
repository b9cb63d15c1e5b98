// The models served over OIP v2: lang-id (fastText lid.176) and sentiment (wink-nlp), with their tensor signatures.
import type { LanguageModel } from "../models/fasttext.ts";
import type { SentimentModel } from "../models/sentiment.ts";
import type { MetadataTensor, OutputTensor } from "./schemas.ts";

export interface OipModel {
  name: string;
  platform: string;
  inputs: MetadataTensor[];
  outputs: MetadataTensor[];
  /** Runs on the texts of the `text` input (shape as given); throws InferInputError for bad parameters. */
  infer(texts: string[], shape: number[], params: Record<string, unknown>): OutputTensor[];
}

export class InferInputError extends Error {
  override name = "InferInputError";
}

const TEXT_INPUT: MetadataTensor = { name: "text", datatype: "BYTES", shape: [-1] };

function langId(model: LanguageModel): OipModel {
  return {
    name: "lang-id",
    platform: "fasttext",
    inputs: [TEXT_INPUT],
    // Top-1 by default (the input's shape); with parameters.top_k = k, shape [...input, k], best first.
    outputs: [
      { name: "label", datatype: "BYTES", shape: [-1] },
      { name: "probability", datatype: "FP32", shape: [-1] },
    ],
    infer(texts, shape, params) {
      const k = params.top_k;
      if (k !== undefined && !(Number.isInteger(k) && (k as number) >= 1 && (k as number) <= model.labels))
        throw new InferInputError(`parameters.top_k must be an integer from 1 to ${model.labels}`);
      const top = (k as number | undefined) ?? 1;
      const labels: string[] = [];
      const probabilities: number[] = [];
      for (const text of texts) {
        const guesses = model.identify(text, top);
        // fastText returns fewer than k only when k exceeds its labels, which the check above rules out.
        for (const g of guesses) {
          labels.push(g.label);
          probabilities.push(Math.fround(g.probability));
        }
      }
      const outShape = k === undefined ? shape : [...shape, top];
      return [
        { name: "label", datatype: "BYTES", shape: outShape, data: labels },
        { name: "probability", datatype: "FP32", shape: outShape, data: probabilities },
      ];
    },
  };
}

function sentiment(model: SentimentModel): OipModel {
  return {
    name: "sentiment",
    platform: "wink-nlp",
    inputs: [TEXT_INPUT],
    outputs: [{ name: "score", datatype: "FP32", shape: [-1] }],
    infer(texts, shape) {
      return [{ name: "score", datatype: "FP32", shape, data: texts.map((t) => Math.fround(model.score(t))) }];
    },
  };
}

export function oipModels(models: { language: LanguageModel; sentiment: SentimentModel }): Map<string, OipModel> {
  return new Map([langId(models.language), sentiment(models.sentiment)].map((m) => [m.name, m]));
}
