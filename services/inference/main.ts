// Inference entrypoint: answers --version before anything else is loaded, listens, then runs the service (run.ts).
import { loadInTurns } from "../../lib/serve/load-in-turns.ts";
import { DEFAULT_PORTS, listenEarly } from "../../lib/serve/starting-listener.ts";
import { exitIfVersionFlag } from "../../lib/serve/version-flag.ts";
import { VERSION } from "../../lib/version.ts";
import { DEFAULT_SOCKET_IDLE_SECONDS } from "./http/socket-idle.ts";

exitIfVersionFlag("inference", VERSION);
// From here on /healthz answers (the rest 503 "starting") while the service's modules load and its dependencies connect.
const listener = listenEarly(process.env, DEFAULT_PORTS.inference, DEFAULT_SOCKET_IDLE_SECONDS);
// Loaded only now: --version evaluates nothing else, and the build puts run.ts and all it imports in chunks of their own.
// The largest parts of what run.ts imports load first, each in its own turn, so probes are answered in between.
const { run } = await loadInTurns([() => import("zod"), () => import("./config.ts"), () => import("./app.ts")], () => import("./run.ts"));
await run(listener);
