// Contract fuzzing: seeded valid and malformed requests for every operation of openapi/gateway.json, over HTTP through a real gateway in front of real orders and notifications, every answer checked against the contract.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import fc from "fast-check";
import { generateDevKeyPair } from "../../lib/auth/dev-keys.ts";
import { SCOPES } from "../../lib/auth/principal.ts";
import { until } from "../../lib/testing/nats-server.ts";
import { type ServiceProcess, startService } from "../../lib/testing/service-process.ts";
import contract from "../../openapi/gateway.json" with { type: "json" };
import { devInferenceModels } from "../../scripts/dev-models.ts";
import { gatewayHarness, type Harness } from "../../services/gateway/testing/harness.ts";
import { startTestModelServer, type TestModelServer } from "../../tools/model-server/testing/start.ts";
import { type Pipeline, startPipeline } from "../pipeline/harness.ts";
import { type Operation, operationsOf } from "./operations.ts";
import { type Context, type FuzzRequest, requestArb } from "./requests.ts";
import { createChecker, type OpenApi } from "./response-check.ts";
import { resolver } from "./schema-arbitrary.ts";

const RUNS = Number(process.env.FUZZ_RUNS ?? 2_000);
const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const MODELS = devInferenceModels("http://unused");

const doc = contract as unknown as OpenApi;
const checker = createChecker(doc);
const ops: Operation[] = operationsOf(doc, []);

/** Why a schema-valid request may still be refused: reasons the contract documents that depend on state, not on shape. */
function documentedRefusal(req: FuzzRequest, status: number, body: { code?: string; errors?: { path: string }[] }, reusedKey: boolean): boolean {
  const { code, errors = [] } = body;
  const hasPathParam = req.op !== undefined && ops.some((o) => o.id === req.op && o.params.some((p) => p.in === "path"));
  if (status === 404 && code === "not_found") return hasPathParam;
  // A model name the registry does not have (the contract cannot list them: they are configuration).
  if (status === 404 && code === "model_not_found") return true;
  if (status === 422 && code === "inference_rejected") return true;
  // OIP tensors must agree with themselves (element count = product of shape, elements of the datatype, unique names):
  // rules across members that JSON Schema cannot state, so InferenceRequest states them in prose.
  if (status === 422 && code === "validation_failed" && req.op === "infer")
    return errors.length > 0 && errors.every((e) => /^body\.inputs\.\d+(\.|$)/.test(e.path));
  if (status === 409 && code === "invalid_state_transition") return true;
  if (status === 422 && (code === "amount_overflow" || code === "dead_letter_not_replayable")) return true;
  if (status === 422 && code === "idempotency_key_reused") return reusedKey;
  return false;
}

/** The key an Idempotency-Key header names (a Structured Field string unescaped). */
const keyOf = (header: string) => (header.startsWith('"') ? header.slice(1, -1).replace(/\\(["\\])/g, "$1") : header);

describe("contract fuzzing through the gateway [postgres] [nats]", () => {
  let pipeline: Pipeline;
  let models: TestModelServer;
  let inference: ServiceProcess;
  let h: Harness;
  let server: ReturnType<typeof Bun.serve>;
  let base: string;
  const limits = "orders=100000/s:100000,notifications=100000/s:100000,inference=100000/s:100000";

  beforeAll(async () => {
    const internalKeys = await generateDevKeyPair("gw-fuzz");
    const env = { INTERNAL_AUTH_JWKS: JSON.stringify(internalKeys.jwks), LOG_LEVEL: "warn" };
    pipeline = await startPipeline("jetstream", "contract_fuzz");
    models = await startTestModelServer({ cadenceMs: 1 });
    const [orders, notifications, inferenceService] = await Promise.all([
      pipeline.startOrders(env),
      pipeline.startNotifications(env),
      startService(
        [process.execPath, "services/inference/main.ts"],
        { ...env, INFERENCE_MODELS: JSON.stringify(devInferenceModels(models.url)), DRAIN_DELAY_MS: "0" },
        { readyPath: "/readyz", timeoutMs: 30_000 },
      ),
    ]);
    inference = inferenceService;
    h = await gatewayHarness({
      ordersUrl: orders.url,
      internalKeys,
      env: { NOTIFICATIONS_URL: notifications.url, INFERENCE_URL: inference.url, RATE_LIMITS: limits },
    });
    server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: (req, srv) => h.gateway.fetch(req, srv.requestIP(req)?.address) });
    base = `http://127.0.0.1:${server.port}`;
    h.health.markStarted(); // as start.ts does once the gateway is up: the probes answer as in production
  }, 90_000);
  afterAll(async () => {
    await server?.stop(true);
    h?.close();
    await inference?.stop();
    await models?.stop();
    await pipeline?.close();
  });

  test(`${RUNS} requests: 0 contract violations, 0 5xx, every valid request accepted or refused for a documented reason`, async () => {
    const all = await h.token({ sub: "fuzz-a", scope: SCOPES.join(" ") });
    const single = Object.fromEntries(await Promise.all(SCOPES.map(async (scope) => [scope, await h.token({ sub: "fuzz-a", scope })] as const)));
    const auth = { authorization: `Bearer ${all}` };
    // Resources that exist, so valid requests reach more than 404: orders (one cancelled), and page cursors.
    const ids: string[] = [];
    for (const sku of ["SEED-1", "SEED-2", "SEED-3", "SEED-4"]) {
      const res = await fetch(`${base}/v1/orders`, {
        method: "POST",
        headers: { ...auth, "content-type": "application/json", "idempotency-key": crypto.randomUUID() },
        body: JSON.stringify({ currency: "EUR", items: [{ sku, quantity: 1, unitPriceCents: 100 }] }),
      });
      expect(res.status).toBe(201);
      ids.push(((await res.json()) as { id: string }).id);
    }
    const nextCursor = async (path: string) => ((await (await fetch(`${base}${path}`, { headers: auth })).json()) as { nextCursor: string | null }).nextCursor;
    await until(async () => (await nextCursor("/v1/notifications?limit=1")) !== null, 20_000, "notifications for the seeded orders");
    const ctx: Context = {
      resolve: resolver(doc),
      valid: checker.valid,
      // OIP models: the /v1/models/{model}… operations take any model, /infer only OIP ones.
      known: { id: ids, model: Object.keys(MODELS).filter((m) => MODELS[m]?.protocol === "oip-v2") },
      knownBody: { createChatCompletion: { model: ["echo-chat"] }, createEmbeddings: { model: ["lang-id-embed"] } },
      cursors: {
        listOrders: [(await nextCursor("/v1/orders?limit=1")) as string],
        listNotifications: [(await nextCursor("/v1/notifications?limit=1")) as string],
      },
      ops,
      tokens: { all, single },
    };

    console.log(`contract fuzz: seed ${SEED}, ${RUNS} requests (reproduce: FUZZ_SEED=${SEED} bun test tests/contract)`);
    const requests = fc.sample(fc.oneof(...ops.map((op) => requestArb(op, ctx))), { seed: SEED, numRuns: RUNS });

    const violations: string[] = [];
    const statuses = new Map<string, number>();
    const kinds = new Map<string, number>();
    const perOperation = new Map<string, number>();
    const storedKeys = new Set<string>();
    let serverErrors = 0;
    for (const [i, req] of requests.entries()) {
      const query = req.query.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&");
      const target = `${req.method} ${req.path}${query ? `?${query}` : ""}`;
      let res: Response;
      let text: string;
      try {
        // A request that gets no answer is a finding too, not a hung test.
        const signal = AbortSignal.timeout(10_000);
        res = await fetch(`${base}${req.path}${query ? `?${query}` : ""}`, {
          method: req.method,
          headers: req.headers,
          body: req.body as BodyInit | undefined,
          signal,
        });
        text = await res.text();
      } catch (err) {
        violations.push(`#${i} ${req.kind} ${target}: no answer (${(err as Error).message})`);
        continue;
      }
      const what = `#${i} ${req.kind} ${target} → ${res.status}`;
      const problems = checker.check(req.responses, res, text);
      const body = (() => {
        try {
          return JSON.parse(text) as { code?: string; errors?: { path: string }[] };
        } catch {
          return {};
        }
      })();
      const key = req.headers["idempotency-key"];
      if (req.kind === "valid") {
        const accepted = res.status >= 200 && res.status < 300;
        if (!accepted && !documentedRefusal(req, res.status, body, key !== undefined && storedKeys.has(keyOf(key)))) {
          problems.push(`a schema-valid request was refused (${body.code ?? "no code"}): ${text.slice(0, 600)}`);
        }
        if (accepted && key !== undefined) storedKeys.add(keyOf(key));
      } else if (req.expect) {
        const statusOk = ([] as number[]).concat(req.expect.status).includes(res.status);
        const got = {
          status: statusOk ? req.expect.status : res.status,
          code: req.expect.code && body.code,
          allow: req.expect.allow && res.headers.get("allow"),
        };
        const want = { status: req.expect.status, code: req.expect.code, allow: req.expect.allow };
        if (JSON.stringify(got) !== JSON.stringify(want)) problems.push(`expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}: ${text.slice(0, 200)}`);
      }
      if (res.status >= 500) serverErrors++;
      for (const p of problems) violations.push(`${what}: ${p}`);
      statuses.set(String(res.status), (statuses.get(String(res.status)) ?? 0) + 1);
      kinds.set(req.kind, (kinds.get(req.kind) ?? 0) + 1);
      const answer = `${req.op} ${req.kind === "valid" ? "valid" : "malformed"} ${res.status}`;
      perOperation.set(answer, (perOperation.get(answer) ?? 0) + 1);
    }

    const operations = new Set(requests.map((r) => r.op));
    console.log(
      `contract fuzz: seed ${SEED}: ${requests.length} requests, ${operations.size} operations, ${violations.length} violations, ${serverErrors} 5xx\n` +
        `  kinds ${JSON.stringify(Object.fromEntries(kinds))}\n  statuses ${JSON.stringify(Object.fromEntries(statuses))}\n` +
        `  per operation ${JSON.stringify(Object.fromEntries([...perOperation].sort()))}`,
    );
    if (violations.length > 0) console.log(violations.slice(0, 30).join("\n"));
    expect(operations.size).toBe(ops.length);
    expect(violations).toEqual([]);
    expect(serverErrors).toBe(0);
  }, 300_000);
});
