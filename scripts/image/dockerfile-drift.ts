// Compares Dockerfile.bun with what `npm run image` builds: the final stage's instructions and the build stage's sources.
import { IMAGE_CONFIG } from "./rootfs.ts";

interface Instruction {
  op: string;
  args: string;
}

/** Dockerfile instructions (continuations joined, comments dropped), split into stages at each FROM. */
export function dockerfileStages(text: string): Instruction[][] {
  const joined = text.replace(/\\\n/g, " ");
  const stages: Instruction[][] = [[]];
  for (const line of joined.split("\n")) {
    const m = /^\s*([A-Za-z]+)\s+(.*)$/.exec(line);
    if (!m || line.trimStart().startsWith("#")) continue;
    const ins = { op: (m[1] as string).toUpperCase(), args: (m[2] as string).trim() };
    if (ins.op === "FROM") stages.push([]);
    stages.at(-1)?.push(ins);
  }
  return stages.filter((s) => s.length > 0);
}

/** What differs between the Dockerfile and the image script; empty when they agree. */
export function dockerfileDrift(text: string): string[] {
  const stages = dockerfileStages(text);
  const final = stages.at(-1) ?? [];
  const build = stages.find((s) => /\bAS build$/i.test(s[0]?.args ?? "")) ?? [];
  const problems: string[] = [];
  const expectOne = (op: string, want: string, got: string[]) => {
    if (got.length !== 1 || got[0] !== want)
      problems.push(`final stage ${op}: Dockerfile.bun has ${JSON.stringify(got)}, the image script ${JSON.stringify(want)}`);
  };
  if (final[0]?.args !== "scratch") problems.push(`final stage: FROM ${final[0]?.args}, the image script builds FROM scratch`);
  const of = (op: string) => final.filter((i) => i.op === op).map((i) => i.args);
  expectOne("USER", IMAGE_CONFIG.user, of("USER"));
  const entrypoints = of("ENTRYPOINT").map((a) => JSON.stringify(JSON.parse(a)));
  expectOne("ENTRYPOINT", JSON.stringify(IMAGE_CONFIG.entrypoint), entrypoints);
  const env = Object.fromEntries(of("ENV").map((a) => a.split("=", 2) as [string, string]));
  if (JSON.stringify(env) !== JSON.stringify(IMAGE_CONFIG.env))
    problems.push(`final stage ENV: Dockerfile.bun has ${JSON.stringify(env)}, the image script ${JSON.stringify(IMAGE_CONFIG.env)}`);
  const copies = of("COPY");
  const wantCopies = ["--from=build /rootfs/ /", "--from=build /out/app /app"];
  if (JSON.stringify(copies) !== JSON.stringify(wantCopies))
    problems.push(`final stage COPY: Dockerfile.bun has ${JSON.stringify(copies)}, the image script puts only rootfs.txt's files and /app in`);
  const known = new Set(["FROM", "COPY", "ENV", "USER", "ENTRYPOINT"]);
  for (const i of final) if (!known.has(i.op)) problems.push(`final stage ${i.op} ${i.args}: the image script has no such step`);
  const runs = build.filter((i) => i.op === "RUN").map((i) => i.args);
  if (!runs.some((r) => r.includes("scripts/build.ts") && r.includes("--without-embedded-database")))
    problems.push("build stage: does not compile with scripts/build.ts --without-embedded-database");
  if (!runs.some((r) => /grep -v '\^#' scripts\/image\/rootfs\.txt \| while read/.test(r)))
    problems.push("build stage: does not read its file list from scripts/image/rootfs.txt");
  return problems;
}
