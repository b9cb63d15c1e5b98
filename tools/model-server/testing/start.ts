// Test helper: the model server on a free loopback port (in process or as a child process) and its control surface.
import { startService } from "../../../lib/testing/service-process.ts";
import type { StatsSnapshot } from "../control/stats.ts";
import { type ProcessFaultInput, processFaultSchema } from "../faults/faults.ts";
import { loadModels, type Models } from "../models/load.ts";
import { startModelServer } from "../start.ts";

export interface TestModelServerOptions {
  /** Milliseconds between chat stream chunks (default 20). */
  cadenceMs?: number;
  /** Chat reply length in tokens (default: echo the last user message). */
  chunks?: number;
  /** A process-wide fault from the start. */
  fault?: ProcessFaultInput;
}

export interface TestModelServer {
  url: string;
  port: number;
  /** Sets the process-wide fault (POST /_control); see the README for the fields. */
  setFault(fault: ProcessFaultInput): Promise<void>;
  clearFault(): Promise<void>;
  stats(): Promise<StatsSnapshot>;
  resetStats(): Promise<void>;
  stop(): Promise<void>;
}

async function expectOk(res: Response, what: string): Promise<void> {
  if (!res.ok) throw new Error(`${what}: ${res.status} ${await res.text()}`);
  await res.body?.cancel();
}

/** The control calls of a model server at `url` (also for one started elsewhere). */
export function modelServerControl(url: string): Omit<TestModelServer, "url" | "port" | "stop"> {
  return {
    setFault: async (fault) => expectOk(await fetch(`${url}/_control`, { method: "POST", body: JSON.stringify(fault) }), "set fault"),
    clearFault: async () => expectOk(await fetch(`${url}/_control`, { method: "DELETE" }), "clear fault"),
    stats: async () => (await fetch(`${url}/_control/stats`)).json() as Promise<StatsSnapshot>,
    resetStats: async () => expectOk(await fetch(`${url}/_control/stats`, { method: "DELETE" }), "reset stats"),
  };
}

// Loaded once per test process and shared by every in-process server: each load takes ~150-250 ms.
let shared: Promise<Models> | undefined;

/** The server inside the test process, on 127.0.0.1 and a free port. */
export async function startTestModelServer(opts: TestModelServerOptions = {}): Promise<TestModelServer> {
  shared ??= loadModels();
  const fault = opts.fault ? processFaultSchema.parse(opts.fault) : undefined;
  const server = await startModelServer({ port: 0, cadenceMs: opts.cadenceMs, chunks: opts.chunks, fault, models: await shared });
  return { url: server.url, port: server.port, stop: server.stop, ...modelServerControl(server.url) };
}

/** The server as a child process (`bun tools/model-server/main.ts`), for tests that kill or signal it. */
export async function spawnTestModelServer(opts: TestModelServerOptions = {}): Promise<TestModelServer & { kill(signal?: NodeJS.Signals): Promise<number> }> {
  const env: Record<string, string> = { HOST: "127.0.0.1", LOG_LEVEL: "warn" };
  if (opts.cadenceMs !== undefined) env.CHAT_CADENCE_MS = String(opts.cadenceMs);
  if (opts.chunks !== undefined) env.CHAT_CHUNKS = String(opts.chunks);
  if (opts.fault) env.MODEL_SERVER_FAULT = JSON.stringify(opts.fault);
  // /_control is never faulted, so the wait works whatever fault the server starts with.
  const proc = await startService([process.execPath, `${import.meta.dir}/../main.ts`], env, { readyPath: "/_control" });
  const port = Number(new URL(proc.url).port);
  const kill = (signal: NodeJS.Signals = "SIGTERM") => proc.stop(signal);
  return { url: proc.url, port, stop: async () => void (await kill()), kill, ...modelServerControl(proc.url) };
}
