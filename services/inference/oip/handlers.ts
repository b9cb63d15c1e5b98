// Registers the registry listing and the OIP v2 calls: thin glue from validated input to dispatch and back.
import type { OpenAPIHono, z } from "@hono/zod-openapi";
import type { InternalTokenVerifier } from "../../../lib/auth/internal-token.ts";
import { requireInternalAuth, requireScope } from "../../../lib/auth/middleware.ts";
import { AppError } from "../../../lib/http/app-error.ts";
import type { Backend } from "../backends/backend.ts";
import { type ModelPool, type Pools, poolReady } from "../backends/pool.ts";
import { type Answer, backendFailure, readAnswer } from "../forward/answer.ts";
import { dispatch } from "../forward/dispatch.ts";
import { type CallDeps, modelCall } from "../forward/model-call.ts";
import { jsonResponse } from "../forward/respond.ts";
import { type CallRequest, honoCallRequest } from "../http/call-request.ts";
import type { HotMatch, HotRoute } from "../http/hot-path.ts";
import type { InferenceEnv } from "../http/inference-env.ts";
import { modelFromPath } from "../http/model-path.ts";
import { readBody } from "../http/read-body.ts";
import { isPlainInferRequest } from "./plain-infer-request.ts";
import { oipRoutes } from "./routes.ts";
import { InferRequest } from "./schemas.ts";
import { topLevelMembersAre } from "./top-level-members.ts";
import { shapeElements } from "./validate.ts";

type InferRequestBody = z.infer<typeof InferRequest>;

export interface OipDeps extends CallDeps {
  pools: Pools;
  verifyToken: InternalTokenVerifier;
}

const modelPath = (b: Backend) => encodeURIComponent(b.spec.model);

function entry(pool: ModelPool) {
  const { name, protocol, limits } = pool.spec;
  return {
    id: name,
    object: "model" as const,
    owned_by: "bun-platform",
    name,
    protocol,
    ready: poolReady(pool),
    limits: {
      connect_timeout_ms: limits.connectTimeoutMs,
      first_byte_timeout_ms: limits.firstByteTimeoutMs,
      idle_timeout_ms: limits.idleTimeoutMs,
      total_timeout_ms: limits.totalTimeoutMs,
      max_concurrency: limits.maxConcurrency,
      queue_size: limits.queueSize,
      max_request_bytes: limits.maxRequestBytes,
      max_response_bytes: limits.maxResponseBytes,
    },
  };
}

/** The backend's JSON answer with fields set to the public view (its own model name replaced, the request id echoed). */
function rewritten(answer: Answer, model: string, fields: Record<string, string | undefined>): Uint8Array | string {
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(new TextDecoder().decode(answer.bytes)) as Record<string, unknown>;
  } catch {
    throw new AppError("backend_error", { detail: `${model}: the model server's answer is not JSON.` });
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw new AppError("backend_error", { detail: `${model}: the model server's answer is not a JSON object.` });
  let changed = false;
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined || parsed[k] === v) continue;
    parsed[k] = v;
    changed = true;
  }
  return changed ? JSON.stringify(parsed) : answer.bytes;
}

export function registerOipRoutes(app: OpenAPIHono<InferenceEnv>, deps: OipDeps): void {
  const routes = oipRoutes({
    auth: [requireInternalAuth(deps.verifyToken, "inference"), requireScope("inference:invoke")] as never,
    anyModel: modelFromPath(deps.pools) as never,
    oipModel: modelFromPath(deps.pools, "oip-v2") as never,
    body: readBody((c) => c.get("pool").spec.limits.maxRequestBytes) as never,
  });

  app.openapi(routes.list, (c) => c.json({ object: "list" as const, data: [...deps.pools.values()].map(entry) }, 200));

  app.openapi(routes.ready, (c) => {
    const pool = c.get("pool");
    const ready = poolReady(pool);
    return ready ? c.json({ name: pool.spec.name, ready }, 200) : c.json({ name: pool.spec.name, ready }, 503);
  });

  app.openapi(routes.metadata, (c) => {
    const pool = c.get("pool");
    const oip = pool.spec.protocol === "oip-v2";
    return modelCall(deps, honoCallRequest(c as never), pool, "metadata", async (scope) => {
      const d = await dispatch(
        pool,
        { method: "GET", path: (b) => (oip ? `/v2/models/${modelPath(b)}` : `/v1/models/${modelPath(b)}`), accept: "application/json", ...scope.ids },
        scope.call,
        scope.dispatchHooks,
      );
      const answer = await readAnswer(d, pool, scope.call);
      if (answer.status >= 400) throw backendFailure(answer, pool.spec.name);
      return jsonResponse(rewritten(answer, pool.spec.name, { name: pool.spec.name }), scope.ids.requestId);
    }) as never;
  });

  app.openapi(routes.infer, async (c) => {
    const pool = c.get("pool");
    const req = c.req.valid("json");
    checkElements(pool, req.inputs);
    return forwardInfer(deps, honoCallRequest(c as never), pool, await c.req.text(), req.id) as never;
  });
}

const INFER_PREFIX = "/v1/models/";
const INFER_SUFFIX = "/infer";

/** The infer route's hot-path twin (http/hot-path.ts): a registered OIP model in the path, matched exactly. */
export function oipHotRoutes(deps: CallDeps & { pools: Pools }): HotRoute[] {
  const matches = new Map<string, HotMatch<InferRequestBody>>();
  for (const pool of deps.pools.values()) {
    if (pool.spec.protocol !== "oip-v2") continue;
    matches.set(pool.spec.name, {
      limit: pool.spec.limits.maxRequestBytes,
      serve: async (r, input) => {
        checkElements(pool, input.data.inputs);
        return forwardInfer(deps, r, pool, input.text, input.data.id);
      },
    });
  }
  const infer: HotRoute<InferRequestBody> = {
    template: "/v1/models/:model/infer",
    schema: InferRequest,
    plain: isPlainInferRequest as (value: unknown) => value is InferRequestBody,
    match(path) {
      if (!path.startsWith(INFER_PREFIX) || !path.endsWith(INFER_SUFFIX)) return undefined;
      return matches.get(path.slice(INFER_PREFIX.length, path.length - INFER_SUFFIX.length));
    },
  };
  return [infer as HotRoute<unknown>];
}

/** The model's cap on tensor elements, over all inputs (a 422 like the schema's own checks). */
export function checkElements(pool: ModelPool, inputs: readonly { shape: readonly number[] }[]): void {
  const { maxTensorElements } = pool.spec.limits;
  const elements = inputs.reduce((n, t) => n + shapeElements(t.shape), 0);
  if (elements > maxTensorElements) {
    throw new AppError("validation_failed", {
      detail: "The request body does not match the schema.",
      errors: [{ path: "body.inputs", message: `the inputs hold ${elements} elements; this model takes at most ${maxTensorElements}` }],
    });
  }
}

/** A validated infer call (`text` is the body as received, `id` its request id) forwarded to the pool; the answer in the public view. */
export function forwardInfer(deps: CallDeps, r: CallRequest, pool: ModelPool, text: string, id: string | undefined): Promise<Response> {
  return modelCall(deps, r, pool, "infer", async (scope) => {
    const d = await dispatch(
      pool,
      { method: "POST", path: (b) => `/v2/models/${modelPath(b)}/infer`, body: () => text, accept: "application/json", ...scope.ids },
      scope.call,
      scope.dispatchHooks,
    );
    const answer = await readAnswer(d, pool, scope.call);
    if (answer.status >= 400) throw backendFailure(answer, pool.spec.name);
    // The common cases (same name, and no id or the id echoed) pass the bytes as they came, unparsed.
    const same = d.backend.spec.model === pool.spec.name && (id === undefined || topLevelMembersAre(answer.bytes, { id }));
    return jsonResponse(same ? answer.bytes : rewritten(answer, pool.spec.name, { model_name: pool.spec.name, id }), scope.ids.requestId);
  });
}
