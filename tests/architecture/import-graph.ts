// The repository's file-level import graph and the rules read over it: lib layers, service boundaries, test support, cycles.
import { readdir } from "node:fs/promises";
import { posix } from "node:path";
import { scanImports } from "./scan-imports.ts";

/** Repository-relative path (posix) → the repository-relative paths it imports (relative specifiers only). */
export type ImportGraph = Map<string, string[]>;

/** lib/'s layers, lowest first: each lib folder (or top-level lib file) named under one; imports point down or sideways. */
export interface LibLayers {
  layers: Record<string, readonly string[]>;
  /** lib folders of test support: they may import any layer; production files may not import them. */
  testSupport: readonly string[];
}

/** Reads every .ts file under `dirs` (relative to `root`, node_modules skipped) and resolves its relative imports. */
export async function readImportGraph(root: string, dirs: readonly string[]): Promise<ImportGraph> {
  const graph: ImportGraph = new Map();
  for (const dir of dirs) {
    const entries = await readdir(posix.join(root, dir), { recursive: true, withFileTypes: true });
    for (const e of entries) {
      if (!e.isFile() || !e.name.endsWith(".ts")) continue;
      const file = posix.relative(root, posix.join(e.parentPath, e.name));
      if (file.split("/").includes("node_modules")) continue;
      const specifiers = scanImports(await Bun.file(posix.join(root, file)).text());
      graph.set(
        file,
        specifiers.filter((s) => s.startsWith("./") || s.startsWith("../")).map((s) => posix.normalize(posix.join(posix.dirname(file), s))),
      );
    }
  }
  return graph;
}

/** Test code: test files, shared suites, anything under tests/, and files in a folder named testing (as test-code.test.ts). */
export function isTestSupport(file: string): boolean {
  return file.endsWith(".test.ts") || file.endsWith(".suite.ts") || file.startsWith("tests/") || file.split("/").slice(0, -1).includes("testing");
}

/** What ships in the services' binaries: lib/ and services/ files that are not test code. */
const isProduction = (file: string) => (file.startsWith("lib/") || file.startsWith("services/")) && !isTestSupport(file);

/** "config", "version.ts": the lib folder or top-level lib file a path is in; undefined outside lib/. */
const libUnit = (file: string) => (file.startsWith("lib/") ? file.split("/")[1] : undefined);
const serviceOf = (file: string) => (file.startsWith("services/") ? file.split("/")[1] : undefined);

/** Lib layering: unplaced lib folders, imports pointing up a layer, production files importing lib test support. */
export function checkLibLayers(graph: ImportGraph, table: LibLayers): string[] {
  const names = Object.keys(table.layers);
  const rank = new Map<string, number>();
  names.forEach((layer, i) => {
    for (const unit of table.layers[layer] ?? []) rank.set(unit, i);
  });
  const testSupport = new Set(table.testSupport);
  const problems = new Set<string>();
  for (const [file, imports] of graph) {
    const unit = libUnit(file);
    if (unit !== undefined && !rank.has(unit) && !testSupport.has(unit))
      problems.add(`lib/${unit} is in no layer: add it to the table (${names.join(", ")}, or test support)`);
    for (const target of imports) {
      const to = libUnit(target);
      if (to === undefined) continue;
      if (testSupport.has(to) && isProduction(file)) problems.add(`${file} imports test support ${target}`);
      if (unit === undefined || to === unit || testSupport.has(unit)) continue;
      const from = rank.get(unit);
      const into = rank.get(to);
      if (from !== undefined && into !== undefined && into > from)
        problems.add(`${file} (${names[from]}) imports ${target} (${names[into]}): lib imports point down (${names.toReversed().join(" → ")})`);
    }
  }
  return [...problems];
}

/** lib never imports services/; a service never imports another service. */
export function checkServiceBoundaries(graph: ImportGraph): string[] {
  const problems: string[] = [];
  for (const [file, imports] of graph) {
    for (const target of imports) {
      if (file.startsWith("lib/") && target.startsWith("services/")) problems.push(`${file} (lib) imports the service file ${target}`);
      const from = serviceOf(file);
      const to = serviceOf(target);
      if (from !== undefined && to !== undefined && from !== to) problems.push(`${file} (service ${from}) imports ${target} (service ${to})`);
    }
  }
  return problems;
}

/**
 * One cycle per strongly connected group of files (Tarjan), as the shortest path from the group's first file back to
 * itself: "a.ts → b.ts → a.ts". Breaking it reveals any other cycle in the group on the next run.
 */
export function findCycles(graph: ImportGraph): string[] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  const edges = (f: string) => (graph.get(f) ?? []).filter((t) => graph.has(t));
  const visit = (f: string) => {
    index.set(f, index.size);
    low.set(f, index.get(f) as number);
    stack.push(f);
    onStack.add(f);
    for (const t of edges(f)) {
      if (!index.has(t)) {
        visit(t);
        low.set(f, Math.min(low.get(f) as number, low.get(t) as number));
      } else if (onStack.has(t)) low.set(f, Math.min(low.get(f) as number, index.get(t) as number));
    }
    if (low.get(f) !== index.get(f)) return;
    const group: string[] = [];
    let t: string;
    do {
      t = stack.pop() as string;
      onStack.delete(t);
      group.push(t);
    } while (t !== f);
    if (group.length > 1 || edges(f).includes(f)) groups.push(group.sort());
  };
  for (const f of [...graph.keys()].sort()) if (!index.has(f)) visit(f);
  return groups.map((g) => shortestCycle(g[0] as string, new Set(g), edges).join(" → ")).sort();
}

/** Breadth-first from `start` inside its group back to `start`. */
function shortestCycle(start: string, group: Set<string>, edges: (f: string) => string[]): string[] {
  const previous = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const f = queue[i] as string;
    for (const t of edges(f)) {
      if (!group.has(t)) continue;
      if (t === start) {
        const path = [start];
        for (let p: string | undefined = f; p !== start && p !== undefined; p = previous.get(p)) path.splice(1, 0, p);
        return [...path, start];
      }
      if (!previous.has(t)) {
        previous.set(t, f);
        queue.push(t);
      }
    }
  }
  return [start, start];
}
