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
    /** Extra fields of the access-log line (addLogFields). */
    logFields: Record<string, unknown> | undefined;
    /** Set by deferLogLine: the line is written when it settles. */
    logDeferred: Promise<void> | undefined;
  };
};
