// Test helper: a private nats-server (JetStream + WebSocket) on loopback ports of its own, restartable on the same store.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { connect as tcpConnect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./service-process.ts";

const BINARIES = [process.env.NATS_SERVER_BIN, "nats-server", "/usr/sbin/nats-server"].filter(Boolean) as string[];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = tcpConnect({ host: "127.0.0.1", port }, () => {
      s.destroy();
      resolve(true);
    });
    s.on("error", () => resolve(false));
  });

/** Polls `check` until true; throws naming `what` after `ms`. */
export async function until(check: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await sleep(25);
  }
}

/** The nats-server executable (NATS_SERVER_BIN, PATH, or Debian's /usr/sbin); throws saying how to get one. */
export function natsServerBinary(): string {
  const bin = BINARIES.find((b) => Bun.which(b));
  if (!bin) throw new Error("nats-server not found (run scripts/ci/ensure-nats.sh, or set NATS_SERVER_BIN); these tests never skip");
  return bin;
}

/** Never disturbs the shared server: each test file that restarts NATS gets its own. */
export async function privateNatsServer() {
  const bin = natsServerBinary();
  const dir = await mkdtemp(join(tmpdir(), "nats-private-"));
  const port = await freePort();
  let wsPort = await freePort();
  while (wsPort === port) wsPort = await freePort();
  const conf = join(dir, "nats.conf");
  await writeFile(conf, `listen: "127.0.0.1:${port}"\njetstream { store_dir: "${dir}/store" }\nwebsocket { listen: "127.0.0.1:${wsPort}", no_tls: true }\n`);
  let proc: ReturnType<typeof Bun.spawn> | undefined;
  const start = async () => {
    proc = Bun.spawn([bin, "-c", conf], { stdout: "ignore", stderr: "ignore" });
    await until(() => accepts(port), 10_000, `nats-server on port ${port}`);
  };
  const kill9 = async () => {
    proc?.kill("SIGKILL");
    await proc?.exited;
  };
  await start();
  return {
    url: `nats://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${wsPort}`,
    /** The running server's process id (for CPU accounting); undefined once killed. */
    get pid(): number | undefined {
      return proc && proc.exitCode === null && proc.signalCode === null ? proc.pid : undefined;
    },
    start,
    kill9,
    async dispose() {
      await kill9();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
