// Test helper: the frame of the shared worker suites: one transport + database per suite, a webhook stub, and a worker per test.
import { afterAll, beforeAll, describe } from "bun:test";
import { migrate } from "../../../lib/db/migrate.ts";
import type { Sql } from "../../../lib/db/postgres.ts";
import { silentLogger } from "../../../lib/logging/logger.ts";
import type { Transport } from "../../../lib/messaging/types.ts";
import { createWebhookChannel } from "../channels/webhook-channel.ts";
import { migrations } from "../migrations/index.ts";
import { startWebhookStub, type WebhookStub } from "./webhook-stub.ts";
import { type Harness, type HarnessOptions, startHarness } from "./worker-harness.ts";

export interface ScenarioEnv {
  transport: Transport;
  sql: Sql;
  cleanup(): Promise<void>;
}

export type OpenScenarioEnv = () => Promise<ScenarioEnv>;

export interface WorkerSuite {
  stub: WebhookStub;
  /** A worker on its own stream and durable; the webhook channel to the stub unless told otherwise. */
  harness(o?: Partial<HarnessOptions>): Promise<Harness>;
}

export const ok = () => new Response(null, { status: 204 });

export function describeWorker(title: string, open: OpenScenarioEnv, body: (s: WorkerSuite) => void): void {
  describe(title, () => {
    let env: ScenarioEnv;
    const stub = startWebhookStub();
    beforeAll(async () => {
      env = await open();
      await migrate(env.sql, migrations, { log: silentLogger });
    }, 60_000);
    afterAll(async () => {
      await stub.stop();
      await env?.cleanup();
    }, 30_000);
    body({
      stub,
      harness: (o = {}) => startHarness(env.transport, env.sql, { channel: createWebhookChannel({ url: stub.url, timeoutMs: 2_000 }), ...o }),
    });
  });
}
