// `bun run build`: compiles each service to one self-contained executable in dist/<name>.
import { existsSync, readdirSync } from "node:fs";
import { compileCommand } from "./compile.ts";

const only = process.argv.slice(2);
// A service folder without an entrypoint yet (work in progress) is not a service to build.
const services = readdirSync("services").filter((s) => existsSync(`services/${s}/main.ts`) && (only.length === 0 || only.includes(s)));
const unknown = only.filter((s) => !services.includes(s));
if (unknown.length > 0) {
  console.error(`no services/<name>/main.ts for: ${unknown.join(", ")}`);
  process.exit(1);
}

for (const name of services) {
  const started = performance.now();
  const proc = Bun.spawnSync(compileCommand(`services/${name}/main.ts`, `dist/${name}`), { stdout: "inherit", stderr: "inherit" });
  if (proc.exitCode !== 0) {
    console.error(`build of ${name} failed`);
    process.exit(proc.exitCode ?? 1);
  }
  console.log(`dist/${name} built in ${Math.round(performance.now() - started)} ms`);
}
