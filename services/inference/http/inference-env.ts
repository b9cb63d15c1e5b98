// The Hono environment of inference routes: the shared one plus the model resolved from the path and the body's size.
import type { AppEnv } from "../../../lib/http/app-env.ts";
import type { ModelPool } from "../backends/pool.ts";

export type InferenceEnv = {
  Variables: AppEnv["Variables"] & {
    /** The registry model named in the path (OIP routes). */
    pool: ModelPool;
    /** Bytes of the request body as received (read by readBody). */
    bodyBytes: number;
  };
};
