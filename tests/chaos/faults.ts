// The faults the chaos suite injects into a running world: kills, pauses, rolling restarts, NATS node loss, a table lock, poison messages.
import { ORDERS_STREAM } from "../../lib/messaging/topology.ts";
import type { Kind, Slot, World } from "./world.ts";

export interface FaultContext {
  world: World;
  progress: (line: string) => void;
  /** Message ids of the poison messages published so far (they must end in the DLQ, and nothing else may). */
  poison: Set<string>;
  /** Set when a notifications process was SIGKILLed: a webhook call it made before dying may be repeated (same Idempotency-Key). */
  notificationsKilled: boolean;
}

export interface Fault {
  name: string;
  run(ctx: FaultContext): Promise<void>;
}

const first = (w: World, kind: Kind, i = 0) => w.of(kind)[i] as Slot;

const kill9 = (kind: Kind, i = 0, downMs = 1_500): Fault => ({
  name: `kill -9 ${kind}-${i + 1}, restarted after ${downMs} ms`,
  async run(ctx) {
    const s = first(ctx.world, kind, i);
    if (kind === "notifications") ctx.notificationsKilled = true;
    await s.proc.stop("SIGKILL");
    await Bun.sleep(downMs);
    await ctx.world.respawn(s);
  },
});

const pause = (kind: Kind, i: number, ms: number): Fault => ({
  name: `SIGSTOP ${kind}-${i + 1} for ${ms} ms`,
  async run(ctx) {
    const s = first(ctx.world, kind, i);
    s.proc.proc.kill("SIGSTOP");
    await Bun.sleep(ms);
    s.proc.proc.kill("SIGCONT");
  },
});

const rolling = (kind: Kind): Fault => ({
  name: `rolling SIGTERM restart of the ${kind} replicas`,
  async run(ctx) {
    for (const s of ctx.world.of(kind)) {
      const code = await s.proc.stop("SIGTERM");
      if (code !== 0) throw new Error(`${s.name} exited ${code} on SIGTERM`);
      await ctx.world.respawn(s);
      // nginx's passive check may have marked it failed while it was away (fail_timeout 2 s).
      await Bun.sleep(2_500);
    }
  },
});

const natsNode = (which: "leader" | "follower", downMs = 3_000): Fault => ({
  name: `kill -9 the ORDERS stream ${which === "leader" ? "leader" : "follower"} NATS node, restarted after ${downMs} ms`,
  async run(ctx) {
    const { cluster } = ctx.world;
    const leader = await cluster.waitLeader(ORDERS_STREAM.name);
    const node = which === "leader" ? leader : (cluster.running().find((n) => n !== leader) as string);
    ctx.progress(`  NATS ${node}${node === leader ? " (ORDERS leader)" : ""} killed`);
    await cluster.kill(node);
    await Bun.sleep(downMs);
    await cluster.restart(node);
  },
});

const tableLock = (ms: number): Fault => ({
  name: `LOCK TABLE orders IN ACCESS EXCLUSIVE MODE for ${ms} ms`,
  async run(ctx) {
    const held = await ctx.world.p.sql.orders.reserve();
    try {
      await held`BEGIN`;
      await held`LOCK TABLE orders IN ACCESS EXCLUSIVE MODE`;
      await Bun.sleep(ms);
    } finally {
      await held`ROLLBACK`;
      held.release();
    }
  },
});

const poisonMessages = (n: number): Fault => ({
  name: `${n} poison messages published to orders.placed`,
  async run(ctx) {
    for (let i = 0; i < n; i++) {
      const id = `poison-${crypto.randomUUID()}`;
      await ctx.world.p.transport.publish({ subject: "orders.placed", id, data: new TextEncoder().encode(`{"not": "an event ${i}"`) });
      ctx.poison.add(id);
    }
  },
});

const none: Fault = { name: "no fault (baseline)", run: () => Bun.sleep(3_000) };

/**
 * Each scenario: one fault, injected while orders flow. The long profile repeats the riskier ones and adds more;
 * the leader profile is issue 16's proof for broker failover: the ORDERS stream leader killed again and again (down
 * times varied, so the kill lands at different points of the relay's and the consumer's cycles), invariants after each.
 */
export const PROFILES: Record<"short" | "long" | "leader", Fault[]> = {
  short: [
    none,
    kill9("orders", 0),
    kill9("notifications", 0),
    natsNode("leader"),
    tableLock(8_000),
    pause("notifications", 1, 4_000),
    rolling("orders"),
    poisonMessages(3),
  ],
  long: [
    none,
    kill9("orders", 0),
    kill9("orders", 1),
    kill9("notifications", 0),
    kill9("notifications", 1),
    natsNode("leader"),
    natsNode("follower"),
    natsNode("leader"),
    natsNode("leader"),
    tableLock(15_000),
    tableLock(30_000),
    pause("notifications", 1, 8_000),
    pause("orders", 1, 5_000),
    rolling("orders"),
    rolling("notifications"),
    rolling("orders"),
    poisonMessages(5),
  ],
  leader: [1_000, 3_000, 500, 2_000, 4_000, 1_500, 3_000, 800, 2_500, 5_000].map((ms) => natsNode("leader", ms)),
};
