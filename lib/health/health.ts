// Process health state behind the probes: started (migrations done), draining (shutting down), dependency checks.

export type DependencyCheck = () => Promise<unknown>;

export interface HealthReport {
  ok: boolean;
  checks: Record<string, "ok" | string>;
}

export interface Health {
  readonly started: boolean;
  readonly draining: boolean;
  markStarted(): void;
  startDraining(): void;
  /** Runs every dependency check concurrently, each bounded by the timeout. */
  checkDependencies(): Promise<HealthReport>;
}

/**
 * `informational` names checks that appear in the report without deciding `ok`: a dependency the process serves
 * without (orders take orders into the outbox while the broker is away), so a load balancer never pulls a replica for it.
 */
export function createHealth(checks: Record<string, DependencyCheck> = {}, timeoutMs = 2_000, informational: readonly string[] = []): Health {
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
      return { ok: results.every(([n, r]) => r === "ok" || informational.includes(n)), checks: Object.fromEntries(results) };
    },
  };
}
