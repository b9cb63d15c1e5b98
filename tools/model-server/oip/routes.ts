// OIP v2 REST endpoints: server and model health, model metadata, and inference on lang-id and sentiment.
import { type Context, Hono } from "hono";
import type { ErrorBody } from "../faults/answer.ts";
import { jsonAnswer, passFault, type ServerDeps, type ServerEnv } from "../tracking.ts";
import { zodMessage } from "../zod-message.ts";
import { InferInputError, type OipModel } from "./models.ts";
import { type InferRequest, type InferResponse, inferRequest } from "./schemas.ts";

const VERSION = "1";
/** Texts per request: enough for batches, small enough that one request cannot hold the process for long. */
export const MAX_ELEMENTS = 4096;

/** OIP errors are `{"error": "<message>"}`. */
export const oipError: ErrorBody = (message) => ({ error: message });

class BadRequest extends Error {}

function product(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** The texts of the request's `text` input, checked against the model's signature. */
function textsOf(req: InferRequest, model: OipModel): { texts: string[]; shape: number[] } {
  const names = new Set<string>();
  for (const input of req.inputs) {
    if (names.has(input.name)) throw new BadRequest(`input '${input.name}' appears twice`);
    names.add(input.name);
    if (!model.inputs.some((m) => m.name === input.name)) throw new BadRequest(`unexpected input '${input.name}' for model '${model.name}'`);
  }
  const input = req.inputs.find((i) => i.name === "text");
  if (!input) throw new BadRequest(`model '${model.name}' needs the input 'text'`);
  if (input.datatype !== "BYTES") throw new BadRequest(`input 'text' must have datatype BYTES, not ${input.datatype}`);
  const texts = input.data.flat(Number.POSITIVE_INFINITY);
  if (texts.length !== product(input.shape))
    throw new BadRequest(`input 'text' has ${texts.length} elements but shape [${input.shape}] needs ${product(input.shape)}`);
  if (texts.length > MAX_ELEMENTS) throw new BadRequest(`input 'text' has ${texts.length} elements; at most ${MAX_ELEMENTS} are accepted`);
  if (!texts.every((t) => typeof t === "string")) throw new BadRequest("BYTES elements must be JSON strings");
  for (const out of req.outputs ?? [])
    if (!model.outputs.some((m) => m.name === out.name)) throw new BadRequest(`unknown output '${out.name}' for model '${model.name}'`);
  return { texts: texts as string[], shape: input.shape };
}

export function oipRoutes(deps: ServerDeps, models: Map<string, OipModel>): Hono<ServerEnv> {
  const app = new Hono<ServerEnv>();
  const notFound = (name: string) => Response.json(oipError(`model '${name}' not found`, 404), { status: 404 });
  // The path's model, at the only version served ("1") when the path names one.
  const lookup = (c: Context<ServerEnv>) => {
    const version = c.req.param("version");
    return version === undefined || version === VERSION ? models.get(c.req.param("name") ?? "") : undefined;
  };

  app.get("/v2", (c) => c.json({ name: "model-server", version: VERSION, extensions: [] }));
  app.get("/v2/health/live", async (c) => {
    const gate = await passFault(c, deps, { kind: "other" }, oipError);
    return "answer" in gate ? gate.answer : new Response(null, { status: 200 });
  });
  app.get("/v2/health/ready", async (c) => {
    const gate = await passFault(c, deps, { kind: "readiness" }, oipError);
    return "answer" in gate ? gate.answer : new Response(null, { status: 200 });
  });

  for (const base of ["/v2/models/:name", "/v2/models/:name/versions/:version"]) {
    app.get(base, async (c) => {
      const model = lookup(c);
      if (!model) return notFound(c.req.param("name") ?? "");
      const gate = await passFault(c, deps, { kind: "other", model: model.name }, oipError);
      if ("answer" in gate) return gate.answer;
      const { name, platform, inputs, outputs } = model;
      return jsonAnswer(c, deps.stats, { name, versions: [VERSION], platform, inputs, outputs }, 200, gate.fault);
    });
    app.get(`${base}/ready`, async (c) => {
      const model = lookup(c);
      if (!model) return notFound(c.req.param("name") ?? "");
      const gate = await passFault(c, deps, { kind: "readiness", model: model.name }, oipError);
      return "answer" in gate ? gate.answer : new Response(null, { status: 200 });
    });
    app.post(`${base}/infer`, async (c) => {
      const model = lookup(c);
      if (!model) return notFound(c.req.param("name") ?? "");
      const gate = await passFault(c, deps, { kind: "inference", model: model.name }, oipError);
      if ("answer" in gate) return gate.answer;
      const parsed = inferRequest.safeParse(await c.req.json().catch(() => undefined));
      if (!parsed.success) return c.json(oipError(`invalid inference request: ${zodMessage(parsed.error)}`, 400), 400);
      const req = parsed.data;
      let outputs: InferResponse["outputs"];
      try {
        const { texts, shape } = textsOf(req, model);
        outputs = model.infer(texts, shape, req.parameters ?? {});
      } catch (err) {
        if (err instanceof BadRequest || err instanceof InferInputError) return c.json(oipError(err.message, 400), 400);
        throw err;
      }
      if (req.outputs) outputs = outputs.filter((o) => req.outputs?.some((r) => r.name === o.name));
      const body: InferResponse = { model_name: model.name, model_version: VERSION, ...(req.id === undefined ? {} : { id: req.id }), outputs };
      return jsonAnswer(c, deps.stats, body, 200, gate.fault);
    });
  }
  return app;
}
