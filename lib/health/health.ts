// Process health state behind the probes: started (migrations done), draining (shutting down), dependency checks.

export type DependencyCheck = () => Promise<unknown>;

export interface HealthReport {
  /** Ready: every required check passed (informational ones do not count, see HealthOptions.informational). */
  ok: boolean;
  /** An informational check failed: the replica still serves (what needs a shared dependency answers 503/504 + Retry-After). */
  degraded: boolean;
  checks: Record<string, "ok" | string>;
}

export interface HealthOptions {
  /** How long one check may take (default 2 000 ms). */
  timeoutMs?: number;
  /**
   * Checks that are reported (status "degraded", the reason in checks) without deciding readiness: dependencies every
   * replica shares (the service's database, the broker) and what the process serves without (the relay, the consumer).
   * An outage of something all replicas use would otherwise take every replica out of the load balancer at once,
   * turning a partial outage into a total one with no Retry-After. README "When PostgreSQL stalls" has the reasoning.
   */
  informational?: readonly string[];
}

export interface Health {
  readonly started: boolean;
  readonly draining: boolean;
  markStarted(): void;
  startDraining(): void;
  /** Runs every dependency check concurrently, each bounded by the timeout. */
  checkDependencies(): Promise<HealthReport>;
}

export function createHealth(checks: Record<string, DependencyCheck> = {}, options: HealthOptions = {}): Health {
  const timeoutMs = options.timeoutMs ?? 2_000;
  const informational = new Set(options.informational ?? []);
  let started = false;
  let draining = false;

  const runOne = async (name: string, check: DependencyCheck): Promise<[string, string]> => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([check(), timeout]);
      return [name, "ok"];
    } catch (err) {
      return [name, err instanceof Error ? err.message : String(err)];
    } finally {
      clearTimeout(timer);
    }
  };

  return {
    get started() {
      return started;
    },
    get draining() {
      return draining;
    },
    markStarted: () => {
      started = true;
    },
    startDraining: () => {
      draining = true;
    },
    async checkDependencies() {
      const results = await Promise.all(Object.entries(checks).map(([n, c]) => runOne(n, c)));
      const failed = results.filter(([, r]) => r !== "ok").map(([n]) => n);
      return { ok: failed.every((n) => informational.has(n)), degraded: failed.length > 0, checks: Object.fromEntries(results) };
    },
  };
}
