// Test helper: a real three-node nats-server cluster (JetStream, a store per node, routes) on loopback, with kill, restart and leader lookup.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { NatsConnection } from "@nats-io/nats-core";
import { connect } from "@nats-io/transport-node";
import { natsServerBinary, until } from "./nats-server.ts";
import { freePort } from "./service-process.ts";

export interface ClusterNode {
  /** The server_name, e.g. "n1" (what JetStream reports as a stream's leader). */
  name: string;
  url: string;
  clientPort: number;
  routePort: number;
  monitorPort: number;
  /** Running server's process id; undefined while it is down. */
  readonly pid: number | undefined;
}

export interface NatsClusterOptions {
  /** Nodes in the cluster (default 3). */
  size?: number;
  /** Progress lines go here (default stderr); pass () => {} to silence them. */
  progress?: (line: string) => void;
  /** Bound on every wait (start, restart, healthy) in ms (default 20 s). */
  waitMs?: number;
}

const STREAM_INFO = (stream: string) => `$JS.API.STREAM.INFO.${stream}`;

/** Distinct free loopback ports. */
async function freePorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) ports.add(await freePort());
  return [...ports];
}

/**
 * JetStream on this node is current (meta group, streams, consumers): its monitoring /healthz answers 200, and it knows
 * the meta leader (/jsz). On a fresh cluster /healthz can answer 200 before any meta leader is elected (the node has
 * recovered, and there is no cluster state yet to be behind on): a stream created then waited 5 s for an answer and
 * timed out, in one CI run of nats-cluster.test.ts.
 */
async function healthy(node: ClusterNode): Promise<boolean> {
  try {
    const base = `http://127.0.0.1:${node.monitorPort}`;
    const r = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(1_000) });
    if (!r.ok) return false;
    const jsz = (await (await fetch(`${base}/jsz`, { signal: AbortSignal.timeout(1_000) })).json()) as { meta_cluster?: { leader?: string } };
    return Boolean(jsz.meta_cluster?.leader);
  } catch {
    return false;
  }
}

export async function startNatsCluster(opts: NatsClusterOptions = {}) {
  const size = opts.size ?? 3;
  const waitMs = opts.waitMs ?? 20_000;
  const progress = opts.progress ?? ((line: string) => process.stderr.write(`[nats-cluster] ${line}\n`));
  const bin = natsServerBinary();
  const dir = await mkdtemp(join(tmpdir(), "nats-cluster-"));
  const ports = await freePorts(size * 3);
  const procs = new Map<string, ReturnType<typeof Bun.spawn>>();
  const alive = (name: string) => {
    const p = procs.get(name);
    return p !== undefined && p.exitCode === null && p.signalCode === null;
  };

  const nodes: ClusterNode[] = Array.from({ length: size }, (_, i) => {
    const name = `n${i + 1}`;
    const [clientPort, routePort, monitorPort] = [ports[i * 3], ports[i * 3 + 1], ports[i * 3 + 2]] as [number, number, number];
    return {
      name,
      url: `nats://127.0.0.1:${clientPort}`,
      clientPort,
      routePort,
      monitorPort,
      get pid() {
        return alive(name) ? procs.get(name)?.pid : undefined;
      },
    };
  });
  const byName = (name: string): ClusterNode => {
    const n = nodes.find((x) => x.name === name);
    if (!n) throw new Error(`no node "${name}" in the cluster (${nodes.map((x) => x.name).join(", ")})`);
    return n;
  };
  const confOf = (n: ClusterNode) => join(dir, n.name, "nats.conf");

  for (const n of nodes) {
    await mkdir(join(dir, n.name), { recursive: true });
    const routes = nodes.filter((o) => o !== n).map((o) => `"nats-route://127.0.0.1:${o.routePort}"`);
    await writeFile(
      confOf(n),
      [
        `server_name: ${n.name}`,
        `listen: "127.0.0.1:${n.clientPort}"`,
        `http: "127.0.0.1:${n.monitorPort}"`,
        `jetstream { store_dir: "${join(dir, n.name, "store")}", max_memory_store: 64MB, max_file_store: 1GB }`,
        `cluster { name: "test", listen: "127.0.0.1:${n.routePort}", routes: [${routes.join(", ")}] }`,
        "",
      ].join("\n"),
    );
  }

  const spawn = (n: ClusterNode) => {
    procs.set(n.name, Bun.spawn([bin, "-c", confOf(n)], { stdout: "ignore", stderr: "ignore" }));
  };

  /** Every running node reports JetStream current. */
  const waitHealthy = async (what: string) => {
    const t0 = performance.now();
    await until(async () => (await Promise.all(nodes.filter((n) => alive(n.name)).map(healthy))).every(Boolean), waitMs, what);
    return Math.round(performance.now() - t0);
  };

  for (const n of nodes) spawn(n);
  try {
    const ms = await waitHealthy(`nats cluster of ${size} healthy`);
    progress(`${size} nodes up and JetStream healthy in ${ms} ms: ${nodes.map((n) => `${n.name}=${n.url}`).join(" ")}`);
  } catch (err) {
    for (const p of procs.values()) p.kill("SIGKILL");
    await rm(dir, { recursive: true, force: true });
    throw err;
  }

  // One client connection for API requests (leader lookups), reconnecting to whichever node is up.
  let nc: NatsConnection | undefined;
  let stopped = false;
  const client = async (): Promise<NatsConnection> => {
    nc ??= await connect({ servers: nodes.map((n) => n.url), maxReconnectAttempts: -1, reconnectTimeWait: 200, name: "nats-cluster-helper" });
    return nc;
  };

  return {
    nodes,
    /** Every node's client URL. */
    urls: nodes.map((n) => n.url),
    /** The URLs joined by commas, as NATS_URL takes them. */
    url: nodes.map((n) => n.url).join(","),
    /** Names of the nodes that are running. */
    running: () => nodes.filter((n) => alive(n.name)).map((n) => n.name),

    /** Sends `signal` (default SIGKILL) to the node and waits for it to exit. */
    async kill(name: string, signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
      const p = procs.get(byName(name).name);
      if (!p || !alive(name)) return;
      p.kill(signal);
      await Promise.race([p.exited, Bun.sleep(waitMs)]);
      if (alive(name)) {
        p.kill("SIGKILL");
        await p.exited;
      }
      progress(`${name} stopped (${signal})`);
    },

    /** Starts a stopped node again on its own store; resolves once every running node reports JetStream current. */
    async restart(name: string): Promise<void> {
      const n = byName(name);
      if (alive(name)) throw new Error(`node ${name} is still running`);
      spawn(n);
      const ms = await waitHealthy(`${name} restarted and the cluster healthy`);
      progress(`${name} restarted; cluster healthy after ${ms} ms`);
    },

    /** Waits until every running node reports JetStream current (streams caught up after a restart, leaders elected). */
    waitHealthy: () => waitHealthy("nats cluster healthy"),

    /**
     * The server name of `stream`'s leader, from $JS.API.STREAM.INFO; undefined when the stream has none right now
     * (an election under way) or does not exist.
     */
    async leaderOf(stream: string, timeoutMs = 2_000): Promise<string | undefined> {
      const c = await client();
      try {
        const m = await c.request(STREAM_INFO(stream), undefined, { timeout: timeoutMs });
        const info = m.json<{ cluster?: { leader?: string }; error?: unknown }>();
        return info.error ? undefined : info.cluster?.leader || undefined;
      } catch {
        return undefined;
      }
    },

    /** Polls until `stream` has a leader, and returns it. */
    async waitLeader(stream: string): Promise<string> {
      let leader: string | undefined;
      await until(
        async () => {
          leader = await this.leaderOf(stream);
          return leader !== undefined;
        },
        waitMs,
        `stream ${stream} has a leader`,
      );
      return leader as string;
    },

    /** Stops every node (SIGKILL) and removes the stores; a second call does nothing. */
    async stop(): Promise<void> {
      if (stopped) return;
      stopped = true;
      await nc?.close().catch(() => {});
      nc = undefined;
      for (const p of procs.values()) if (p.exitCode === null && p.signalCode === null) p.kill("SIGKILL");
      await Promise.all([...procs.values()].map((p) => p.exited));
      await rm(dir, { recursive: true, force: true });
      progress("stopped");
    },
  };
}
export type NatsCluster = Awaited<ReturnType<typeof startNatsCluster>>;
