// `npm run openapi:breaking`: compares every contract under openapi/ with the last release (the newest v* tag) and fails on a breaking change.
// `--base REF` compares with another commit instead (e.g. `--base main` before opening a merge).
import { Glob } from "bun";
import { type Comparison, compareContracts } from "./breaking-changes.ts";

type Json = Record<string, unknown>;

function git(args: string[], cwd: string): { ok: boolean; out: string } {
  const p = Bun.spawnSync(["git", ...args], { cwd, stdout: "pipe", stderr: "pipe" });
  return { ok: p.exitCode === 0, out: p.stdout.toString() };
}

const top = git(["rev-parse", "--show-toplevel"], process.cwd());
if (!top.ok) {
  console.error("openapi:breaking: not inside a git repository");
  process.exit(2);
}
const root = top.out.trim();
const baseArg = process.argv.indexOf("--base");
const base =
  baseArg > 0
    ? process.argv[baseArg + 1]
    : git(["tag", "--list", "v*", "--sort=-v:refname"], root)
        .out.split("\n")
        .find((t) => t.trim() !== "");

if (!base) {
  console.log("openapi:breaking: no v* release tag yet, so there is no release to compare with: passing.");
  console.log("openapi:breaking: tag the first release (e.g. `git tag v0.1.0 <commit>`) and later contracts are held to it.");
  process.exit(0);
}

const atBase = (path: string): string | undefined => {
  const r = git(["show", `${base}:${path}`], root);
  return r.ok ? r.out : undefined;
};
const readNow = async (path: string): Promise<string> => Bun.file(`${root}/${path}`).text();
const versionIn = (text: string | undefined): string | undefined => (text ? (JSON.parse(text) as Json).version?.toString() : undefined);
const versions = { before: versionIn(atBase("package.json")), after: versionIn(await readNow("package.json").catch(() => undefined)) };

const now = [...new Glob("openapi/**/*.json").scanSync({ cwd: root })].sort();
const then = git(["ls-tree", "-r", "--name-only", base, "--", "openapi/"], root)
  .out.split("\n")
  .filter((p) => p.endsWith(".json"));

console.log(`openapi:breaking: comparing ${now.length} contract(s) with ${base} (version ${versions.before ?? "?"} → ${versions.after ?? "?"})`);
let failures = 0;
const show = (label: string, items: { where: string; description: string; accepted?: string }[]) => {
  for (const c of items) console.log(`  ${label} ${c.description || c.where}${c.accepted ? ` — allowed: ${c.accepted}` : ""}\n      at ${c.where}`);
};

for (const path of then.filter((p) => !now.includes(p))) {
  console.log(`✗ ${path}: removed since ${base}`);
  failures++;
}
for (const path of now) {
  const before = atBase(path);
  if (before === undefined) {
    console.log(`+ ${path}: new since ${base}`);
    continue;
  }
  let result: Comparison;
  try {
    result = compareContracts(JSON.parse(before) as Json, JSON.parse(await readNow(path)) as Json, versions);
  } catch (err) {
    console.log(`✗ ${path}: cannot be compared: ${(err as Error).message}`);
    failures++;
    continue;
  }
  const mark = result.breaking.length > 0 ? "✗" : "✓";
  console.log(
    `${mark} ${path}: ${result.breaking.length} breaking, ${result.accepted.length} allowed by versioning, ${result.nonBreaking} additive, ${result.unclassified.length} unclassified`,
  );
  show("BREAKING", result.breaking);
  show("allowed ", result.accepted);
  show("unclassified (not failed on):", result.unclassified);
  failures += result.breaking.length;
}

if (failures > 0) {
  console.error(
    `openapi:breaking: ${failures} breaking change(s) since ${base}. Make the change additive, or version it: a new /v2 path ` +
      "(the old one stays as it was), or a major version (package.json's version, which every contract's info.version follows).",
  );
  process.exit(1);
}
console.log(`openapi:breaking: no breaking change since ${base}`);
