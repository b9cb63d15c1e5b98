// The Hono environment every service app shares: per-request id, logger, trace and caller.

import type { Principal } from "../auth/principal.ts";
import type { Logger } from "../logging/logger.ts";
import type { TraceContext } from "../telemetry/trace-context.ts";

export type AppEnv = {
  Variables: {
    requestId: string;
    log: Logger;
    trace: TraceContext;
    principal: Principal;
  };
};
