// `bun run build`: compiles each service to one self-contained executable in dist/<name>.
import { readdirSync } from "node:fs";

const only = process.argv.slice(2);
const services = readdirSync("services").filter((s) => only.length === 0 || only.includes(s));

for (const name of services) {
  const started = performance.now();
  // --bytecode needs --format=esm, or top-level await crashes at start (FIELD-NOTES).
  const proc = Bun.spawnSync(
    ["bun", "build", "--compile", "--minify", "--bytecode", "--format=esm", "--target=bun-linux-x64", `services/${name}/main.ts`, "--outfile", `dist/${name}`],
    { stdout: "inherit", stderr: "inherit" },
  );
  if (proc.exitCode !== 0) {
    console.error(`build of ${name} failed`);
    process.exit(proc.exitCode ?? 1);
  }
  console.log(`dist/${name} built in ${Math.round(performance.now() - started)} ms`);
}
