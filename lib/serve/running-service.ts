// What a started service hands back to its entrypoint: its listener, health and what to close on shutdown, in order.
import type { Health } from "../health/health.ts";
import type { Closer } from "../lifecycle/closer.ts";
import type { Listener } from "./listen.ts";
import type { Interrupter } from "./shutdown.ts";

export interface RunningService {
  name: string;
  listener: Listener;
  health: Health;
  /** Background work first (relay, consumers), then connections; the entrypoint closes its own transport and database last. */
  closers: Closer[];
  /** What ends long requests (streams) the shutdown would otherwise cut off (lib/serve/shutdown.ts). */
  interrupters?: Interrupter[];
}
