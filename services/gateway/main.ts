// Gateway entrypoint: answers --version before anything else is loaded, then runs the service (run.ts).
import { exitIfVersionFlag } from "../../lib/serve/version-flag.ts";
import { VERSION } from "../../lib/version.ts";

exitIfVersionFlag("gateway", VERSION);
// Loaded only now: --version evaluates nothing else, and the build puts run.ts and all it imports in chunks of their own.
await import("./run.ts");
