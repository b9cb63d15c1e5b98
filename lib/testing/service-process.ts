// Test helper: runs a service as a real child process (source or compiled) and waits for its probes.

export interface ServiceProcess {
  url: string;
  proc: ReturnType<typeof Bun.spawn>;
  /** Everything written to stdout/stderr so far. */
  output(): string;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number>;
}

export async function freePort(): Promise<number> {
  const s = Bun.serve({ port: 0, fetch: () => new Response() });
  const port = s.port ?? 0;
  await s.stop(true);
  return port;
}

async function collect(stream: ReadableStream<Uint8Array>, sink: string[]) {
  const decoder = new TextDecoder();
  for await (const chunk of stream) sink.push(decoder.decode(chunk));
}

/** Starts `cmd` with env + PORT, and waits until `readyPath` answers 200 (or the process dies / times out). */
export async function startService(
  cmd: string[],
  env: Record<string, string>,
  opts: { readyPath?: string; timeoutMs?: number; cwd?: string /** A fixed port (a replacement behind a proxy); default a free one. */; port?: number } = {},
): Promise<ServiceProcess> {
  const port = opts.port ?? (await freePort());
  const chunks: string[] = [];
  const proc = Bun.spawn(cmd, { cwd: opts.cwd, env: { ...process.env, ...env, PORT: String(port) }, stdout: "pipe", stderr: "pipe" });
  void collect(proc.stdout as ReadableStream<Uint8Array>, chunks);
  void collect(proc.stderr as ReadableStream<Uint8Array>, chunks);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (opts.timeoutMs ?? 20_000);
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`service exited with ${proc.exitCode} before ready:\n${chunks.join("")}`);
    const ok = await fetch(`${url}${opts.readyPath ?? "/startupz"}`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) {
      proc.kill("SIGKILL");
      throw new Error(`service not ready in time:\n${chunks.join("")}`);
    }
    await Bun.sleep(50);
  }
  // Ready answers can come before the start's log lines are read off the pipe (the "ready" line is written after the
  // listener serves, and the sink may batch): a test reading output() right away must see the whole start. "ready" is
  // an info line, so at warn or quieter there is nothing to wait for (and no 2 s to lose on every start).
  const level = env.LOG_LEVEL ?? process.env.LOG_LEVEL ?? "info";
  if (level === "info" || level === "debug") {
    const linesBy = Date.now() + 2_000;
    while (!chunks.join("").includes('"msg":"ready"') && Date.now() < linesBy && proc.exitCode === null) await Bun.sleep(10);
  }
  return {
    url,
    proc,
    output: () => chunks.join(""),
    stop: async (signal = "SIGTERM") => {
      proc.kill(signal);
      return proc.exited;
    },
  };
}

export interface ExitedRun {
  code: number;
  /** stdout's JSON log lines. */
  lines: Record<string, unknown>[];
  /** The `err` of the "startup failed" line, when there is one. */
  failure: string | undefined;
  ms: number;
}

/** Runs a service that is expected to stop by itself (a start that must fail) until it exits, killing it after `timeoutMs`. */
export async function runToExit(cmd: string[], env: Record<string, string>, timeoutMs = 15_000): Promise<ExitedRun> {
  const t0 = performance.now();
  const proc = Bun.spawn(cmd, { env: { PATH: process.env.PATH ?? "", PORT: String(await freePort()), ...env }, stdout: "pipe", stderr: "pipe" });
  const timer = setTimeout(() => proc.kill("SIGKILL"), timeoutMs);
  const [code, stdout] = await Promise.all([proc.exited, new Response(proc.stdout as ReadableStream).text()]);
  clearTimeout(timer);
  const lines = stdout
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const failed = lines.find((l) => l.msg === "startup failed");
  return { code, lines, failure: failed ? String(failed.err) : undefined, ms: performance.now() - t0 };
}
