// `npm run chaos [-- --profile short|long]`: real processes under faults while orders flow, then the invariants as a table; exit 1 when one breaks.
import { type FaultContext, PROFILES } from "./faults.ts";
import { type Check, checkInvariants, settle } from "./invariants.ts";
import { startLoad } from "./load.ts";
import { startWorld, type World } from "./world.ts";

const args = process.argv.slice(2);
const profile = (args.includes("--profile") ? args[args.indexOf("--profile") + 1] : "short") as keyof typeof PROFILES;
const faults = PROFILES[profile];
if (!faults) {
  console.error(`chaos: unknown profile "${profile}" (${Object.keys(PROFILES).join(", ")})`);
  process.exit(2);
}
const RATE = Number(process.env.CHAOS_RATE ?? 20);
/** Orders keep flowing this long before the fault and after it. */
const AROUND_MS = Number(process.env.CHAOS_AROUND_MS ?? 2_000);
const SETTLE_MS = 60_000;

const t0 = Date.now();
const progress = (line: string) => console.log(`chaos ${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s ${line}`);

let world: World | undefined;
let stopping = false;
const shutdown = async (code: number) => {
  if (stopping) return;
  stopping = true;
  progress("stopping every process");
  // CHAOS_LOG_DIR: keep every service process's log lines there (they are otherwise dropped with the processes).
  await world?.stop(process.env.CHAOS_LOG_DIR).catch((err) => console.error(`chaos: stop failed: ${err}`));
  process.exit(code);
};
process.on("SIGINT", () => void shutdown(130));
process.on("SIGTERM", () => void shutdown(143));

const rows: Record<string, string | number>[] = [];
const broken: { scenario: string; check: Check }[] = [];
try {
  progress(`profile ${profile}: ${faults.length} scenarios at ${RATE} orders/s`);
  world = await startWorld(progress);
  const ctx: FaultContext = { world, progress, poison: new Set(), notificationsKilled: false };
  for (const [i, fault] of faults.entries()) {
    const name = `${i + 1}. ${fault.name}`;
    progress(`scenario ${name}`);
    const load = startLoad(world.nginx.url, world.p.mint, RATE);
    await Bun.sleep(AROUND_MS);
    await fault.run(ctx);
    await Bun.sleep(AROUND_MS);
    // Orders not yet notified while the load still flows (databases only): a consumer that stopped making progress
    // after the fault shows as a backlog of everything since the fault, not the usual handful in flight.
    const [{ n: ordersAtStop } = { n: 0 }] = await world.p.sql.orders<{ n: number }[]>`SELECT count(*)::int AS n FROM orders`;
    const [{ n: notifiedAtStop } = { n: 0 }] = await world.p.sql.notifications<{ n: number }[]>`SELECT count(*)::int AS n FROM notifications`;
    const result = await load.stop();
    const settleStart = Date.now();
    const settled = await settle(ctx, SETTLE_MS);
    // How long the pipeline took to catch up once the load stopped: a consumer that stalled shows here first.
    const settleMs = Date.now() - settleStart;
    const { checks, figures } = await checkInvariants(ctx, result);
    const failed = checks.filter((c) => !c.ok);
    for (const check of failed) broken.push({ scenario: name, check });
    rows.push({
      scenario: name,
      ...figures,
      failedRequests: result.failed.length,
      backlogAtStop: ordersAtStop - notifiedAtStop,
      settled: settled ? `${(settleMs / 1000).toFixed(1)} s` : "NO",
      invariants: failed.length ? `BROKEN: ${failed.map((c) => c.invariant).join("; ")}` : "ok",
    });
    progress(`  ${failed.length ? "BROKEN" : "ok"}: ${checks.map((c) => `${c.invariant}: ${c.detail}`).join(" | ")}`);
  }
} catch (err) {
  progress(`aborted: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  broken.push({ scenario: "setup", check: { invariant: "the run completed", ok: false, detail: String(err) } });
}

console.table(rows);
if (broken.length) {
  console.log("chaos: invariants broken:");
  for (const b of broken) console.log(`  ${b.scenario}: ${b.check.invariant}: ${b.check.detail}`);
} else console.log(`chaos: every invariant held in ${rows.length} scenarios (${Math.round((Date.now() - t0) / 1000)} s)`);
await shutdown(broken.length ? 1 : 0);
