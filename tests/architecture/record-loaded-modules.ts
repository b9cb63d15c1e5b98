// Preload for lazy-modules.test.ts: when the process exits, writes every module it evaluated to $LOADED_MODULES_FILE.
import { writeFileSync } from "node:fs";

// `require.cache` holds every module that finished evaluating, ES modules and CommonJS alike, by absolute path: what
// the process paid to load. A module that a dynamic import() brings in appears only once that import has run.
const file = process.env.LOADED_MODULES_FILE;
if (file) process.on("exit", () => writeFileSync(file, Object.keys(require.cache).join("\n")));
