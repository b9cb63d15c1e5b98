// The inference registry for the development model server (tools/model-server): npm start, the e2e tests and bench:inference use it.

/** The four models the development model server serves, as INFERENCE_MODELS for a model server at `url`. */
export function devInferenceModels(url: string): Record<string, { protocol: "oip-v2" | "openai"; backends: { url: string }[] }> {
  const at = (protocol: "oip-v2" | "openai") => ({ protocol, backends: [{ url }] });
  return { "lang-id": at("oip-v2"), sentiment: at("oip-v2"), "lang-id-embed": at("openai"), "echo-chat": at("openai") };
}
