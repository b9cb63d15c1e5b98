// SSRF: backend URLs in every risky spelling are refused at startup; path and body payloads get 4xx and reach nothing.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { ConfigError, parseEnv } from "../../../lib/config/env.ts";
import { inferenceEnv } from "../config.ts";
import { type Harness, inferenceHarness } from "../testing/harness.ts";
import { type ModelBackend, modelBackend } from "../testing/model-backend.ts";
import { backendUrlProblems } from "./backend-url.ts";

const JWKS = JSON.stringify({ keys: [{ kty: "OKP", crv: "Ed25519", x: "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo", kid: "k" }] });
const parse = (models: unknown, env: Record<string, string> = {}) =>
  parseEnv("inference", inferenceEnv, { INTERNAL_AUTH_JWKS: JWKS, INFERENCE_MODELS: JSON.stringify(models), ...env });
const problemsOf = (models: unknown, env: Record<string, string> = {}): string[] => {
  try {
    parse(models, env);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
};

const REFUSED_URLS = [
  "http://169.254.169.254/",
  "http://2852039166/", // decimal
  "http://0xa9fea9fe/", // hex
  "http://0251.0376.0251.0376/", // octal
  "http://0xA9.254.43518/", // mixed short form
  "http://169.254.169.254./", // trailing dot
  "http://%31%36%39.254.169.254/", // percent-encoded
  "http://①⑥⑨.254.169.254/", // full-width digits
  "http://169。254。169。254/", // ideographic full stops
  "http://[::ffff:169.254.169.254]/", // IPv4-mapped
  "http://[0:0:0:0:0:ffff:a9fe:a9fe]/",
  "http://[::169.254.169.254]/", // IPv4-compatible
  "http://[64:ff9b::169.254.169.254]/", // NAT64
  "http://[2002:a9fe:a9fe::1]/", // 6to4
  "http://[fd00:ec2::254]/", // AWS metadata over IPv6
  "http://[fe80::1]/", // IPv6 link-local
  "http://169.254.170.2/v2/credentials", // ECS task credentials
  "http://100.100.100.200/", // Alibaba metadata
  "http://metadata.google.internal/",
  "http://METADATA.GOOGLE.INTERNAL./",
  "http://metadata/",
  "http://instance-data/",
  "http://0.0.0.0:8080/",
  "http://0/",
  "file:///etc/passwd",
  "gopher://127.0.0.1:6379/_",
  "ftp://models.example/",
  "javascript:alert(1)",
  "data:text/plain,hi",
  "http://user:pass@models.example/",
  "http://:token@models.example/",
  "http://models.example/admin?x=1",
  "http://models.example/#frag",
  "not a url",
];

describe("backend URLs in config", () => {
  for (const url of REFUSED_URLS) {
    test(`refused: ${url}`, () => {
      expect(backendUrlProblems(url).length).toBeGreaterThan(0);
      const problems = problemsOf({ m: { protocol: "oip-v2", backends: [{ url }] } });
      expect(problems.some((p) => p.startsWith("INFERENCE_MODELS.m.backends.0.url: "))).toBe(true);
    });
  }

  test("loopback, private and public hosts are accepted", () => {
    for (const url of [
      "http://127.0.0.1:9000",
      "http://[::1]:9000",
      "http://10.0.0.5:8000",
      "https://models.internal.example:8443",
      "http://model-server:8080/",
    ])
      expect(backendUrlProblems(url)).toEqual([]);
  });

  test("one message lists every problem: each bad URL, an unknown protocol, a bad name, an unset API key variable", () => {
    const problems = problemsOf({
      a: { protocol: "grpc", backends: [{ url: "http://2852039166/" }, { url: "file:///x" }] },
      "../b": { protocol: "openai", backends: [{ url: "http://127.0.0.1:1", apiKeyEnv: "MISSING_KEY" }] },
      c: { protocol: "openai", backends: [{ url: "http://127.0.0.1:2", apiKeyEnv: "INTERNAL_AUTH_JWKS" }] },
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^INFERENCE_MODELS\.a\.protocol: /),
        expect.stringMatching(/^INFERENCE_MODELS\.a\.backends\.0\.url: .*link-local/),
        expect.stringMatching(/^INFERENCE_MODELS\.a\.backends\.1\.url: scheme file:/),
        expect.stringMatching(/^INFERENCE_MODELS\.\.\.\/b: model names/),
        expect.stringMatching(/^INFERENCE_MODELS\.\.\.\/b\.backends\.0\.apiKeyEnv: names MISSING_KEY/),
        expect.stringMatching(/^INFERENCE_MODELS\.c\.backends\.0\.apiKeyEnv: INTERNAL_AUTH_JWKS is one of the service's own settings/),
      ]),
    );
    expect(problems).toHaveLength(6);
  });

  test("not JSON, no models, unknown fields → refused; a good registry parses with defaults", () => {
    expect(problemsOf("{")).toHaveLength(1);
    expect(problemsOf({})[0]).toContain("at least one model");
    expect(problemsOf({ m: { protocol: "openai", backends: [{ url: "http://127.0.0.1:1", wieght: 2 }] } })[0]).toContain("wieght");
    const cfg = parse({ m: { protocol: "openai", backends: [{ url: "http://127.0.0.1:1", apiKeyEnv: "M_KEY" }] } }, { M_KEY: "s3cret" });
    expect(cfg.INFERENCE_MODELS.m?.backends[0]?.weight).toBe(1);
  });
});

describe("path and body payloads", () => {
  let canary: ModelBackend;
  let redirector: ModelBackend;
  let h: Harness;
  beforeAll(async () => {
    canary = modelBackend();
    redirector = modelBackend(() => new Response(null, { status: 302, headers: { location: `${canary.url}/v2/models/lang-id/infer` } }));
    h = await inferenceHarness({
      "lang-id": { protocol: "oip-v2", backends: [{ url: canary.url }] },
      chat: { protocol: "openai", backends: [{ url: canary.url }] },
      redir: { protocol: "oip-v2", backends: [{ url: redirector.url }], retries: 0 },
    });
  });
  afterAll(async () => {
    await h.close();
    await canary.stop();
    await redirector.stop();
  });

  const body = { inputs: [{ name: "t", shape: [1], datatype: "BYTES", data: ["x"] }] };
  const PATHS = [
    "/v1/models/..%2F..%2Fadmin/infer",
    "/v1/models/lang-id%2F..%2Fx/infer",
    "/v1/models/%2e%2e/infer",
    "/v1/models/%2E%2E%2Flang-id/infer",
    "/v1/models/lang-id%00/infer",
    "/v1/models/lang-id%20/infer",
    "/v1/models/lang-id;x/infer",
    "/v1/models/..;/infer",
    "/v1/models/lang%2Did/infer",
    "/v1/models/lang-id./infer",
    "/v1/models/http:%2F%2F169.254.169.254/infer",
    "/v1/models/lang-id%2Finfer",
    "/v1/models/lang-id/infer%2F..%2F..%2Fv2%2Fhealth",
  ];
  for (const path of PATHS) {
    test(`POST ${path} → 4xx, nothing reaches a backend`, async () => {
      const res = await h.post(path, body);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(canary.seen).toHaveLength(0);
    });
  }

  test("OpenAI bodies naming no registry model (or an OIP one) → 404 model_not_found, nothing sent", async () => {
    for (const model of ["../../v2/models/lang-id", "http://169.254.169.254/", "lang-id", "chat/../lang-id", ""]) {
      const res = await h.post("/v1/chat/completions", { model, messages: [{ role: "user", content: "hi" }] });
      expect([404, 422]).toContain(res.status);
    }
    expect(canary.seen).toHaveLength(0);
  });

  test("a backend's redirect (to an internal host) is not followed: 502, the target sees nothing", async () => {
    const res = await h.post("/v1/models/redir/infer", body);
    expect(res.status).toBe(502);
    expect((await res.json()).code).toBe("backend_error");
    expect(redirector.seen).toHaveLength(1);
    expect(canary.seen).toHaveLength(0);
  });
});
