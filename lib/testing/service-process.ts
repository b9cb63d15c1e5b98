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
