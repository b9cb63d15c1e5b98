// The gateway → inference → development model server stack as three real processes, for the end-to-end tests.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateDevKeyPair } from "../../lib/auth/dev-keys.ts";
import { type ServiceProcess, startService } from "../../lib/testing/service-process.ts";
import { devInferenceModels } from "../../scripts/dev-models.ts";
import { spawnTestModelServer, type TestModelServer } from "../../tools/model-server/testing/start.ts";

export interface InferenceStack {
  models: TestModelServer;
  inference: ServiceProcess;
  gateway: ServiceProcess;
  /** A user token from the gateway's dev issuer for `scope`, minted by the CLI the README uses. */
  userToken(scope: string): string;
  stop(): Promise<void>;
}

/** `gatewayEnv` adds to (or overrides) the gateway's settings, e.g. RATE_LIMITS. */
export async function startInferenceStack(opts: { cadenceMs?: number; chunks?: number; gatewayEnv?: Record<string, string> } = {}): Promise<InferenceStack> {
  const dir = await mkdtemp(join(tmpdir(), "inference-e2e-"));
  const keys = await generateDevKeyPair("e2e-internal");
  const models = await spawnTestModelServer({ cadenceMs: opts.cadenceMs ?? 2, chunks: opts.chunks });
  const started: ServiceProcess[] = [];
  const stop = async () => {
    for (const p of started.reverse()) await p.stop("SIGKILL");
    await models.kill("SIGKILL");
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const inference = await startService(
      [process.execPath, "services/inference/main.ts"],
      {
        INTERNAL_AUTH_JWKS: JSON.stringify(keys.jwks),
        INFERENCE_MODELS: JSON.stringify(devInferenceModels(models.url)),
        DRAIN_DELAY_MS: "0",
        LOG_LEVEL: "warn",
      },
      { readyPath: "/readyz", timeoutMs: 30_000 },
    );
    started.push(inference);
    const gateway = await startService(
      [process.execPath, "services/gateway/main.ts"],
      {
        DEV_ISSUER: "true",
        DATA_DIR: dir,
        INFERENCE_URL: inference.url,
        INTERNAL_AUTH_PRIVATE_JWK: JSON.stringify(keys.privateJwk),
        RATE_LIMITS: "inference=1000/s:1000",
        DRAIN_DELAY_MS: "0",
        LOG_LEVEL: "warn",
        ...opts.gatewayEnv,
      },
      { readyPath: "/readyz", timeoutMs: 30_000 },
    );
    started.push(gateway);
    const userToken = (scope: string) => {
      const cli = Bun.spawnSync([process.execPath, "scripts/user-token.ts", "--sub", "alice", "--scope", scope], { env: { ...process.env, DATA_DIR: dir } });
      if (cli.exitCode !== 0) throw new Error(`token:user failed: ${cli.stderr.toString()}`);
      return cli.stdout.toString().trim();
    };
    return { models, inference, gateway, userToken, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
