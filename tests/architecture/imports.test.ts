// The import rules of DESIGN.md "Style", checked over every file: lib layered one way, services apart, no cycles.
import { describe, expect, test } from "bun:test";
import { checkLibLayers, checkServiceBoundaries, findCycles, type ImportGraph, type LibLayers, readImportGraph } from "./import-graph.ts";
import { scanImports } from "./scan-imports.ts";

/** Every lib folder (and top-level lib file) in one layer, lowest first. A new folder fails the test until placed here. */
const LIB_LAYERS: LibLayers = {
  layers: {
    base: ["config", "logging", "telemetry", "metrics", "lifecycle", "version.ts"],
    data: ["db", "messaging", "events"],
    serving: ["http", "auth", "health", "serve"],
  },
  testSupport: ["testing"],
};

const ROOT = `${import.meta.dir}/../..`;
const graph = await readImportGraph(ROOT, ["lib", "services", "scripts", "tests", "deploy"]);

describe("the repository's imports", () => {
  test("lib/ imports point down its layers; production code does not import lib/testing", () => {
    expect(checkLibLayers(graph, LIB_LAYERS)).toEqual([]);
  });

  test("lib never imports a service; services never import each other", () => {
    expect(checkServiceBoundaries(graph)).toEqual([]);
  });

  test("no import cycles", () => {
    expect(findCycles(graph)).toEqual([]);
  });

  test("the graph is the whole tree, relative imports resolved", () => {
    expect(graph.get("lib/db/database.ts")).toContain("lib/db/postgres.ts");
    expect(graph.get("lib/db/database.ts")).toContain("lib/db/embedded.ts"); // a dynamic import
    expect([...graph.keys()].filter((f) => f.startsWith("services/")).length).toBeGreaterThan(100);
  });
});

describe("the checker, on a tiny graph", () => {
  const fixture: ImportGraph = new Map([
    ["lib/config/env.ts", []],
    ["lib/db/postgres.ts", ["lib/config/env.ts"]],
    ["lib/metrics/http.ts", ["lib/http/route.ts"]], // base → serving: the wrong way
    ["lib/http/route.ts", ["lib/db/postgres.ts", "lib/metrics/registry.ts"]],
    ["lib/metrics/registry.ts", []],
    ["lib/cache/store.ts", ["lib/config/env.ts"]], // a folder in no layer
    ["lib/http/helper.ts", ["lib/testing/fake.ts"]], // production code importing test support
    ["lib/testing/fake.ts", ["lib/http/route.ts"]],
    ["services/a/x.ts", ["services/a/y.ts"]], // x → y → z → x: a cycle
    ["services/a/y.ts", ["services/a/z.ts"]],
    ["services/a/z.ts", ["services/a/x.ts", "services/b/api.ts"]], // one service importing another
    ["services/b/api.ts", ["lib/http/route.ts"]],
    ["lib/http/uses-service.ts", ["services/b/api.ts"]], // lib importing a service
  ]);

  test("each wrong-way import, unplaced folder and test-support import is reported, nothing else", () => {
    expect(checkLibLayers(fixture, LIB_LAYERS).sort()).toEqual([
      "lib/cache is in no layer: add it to the table (base, data, serving, or test support)",
      "lib/http/helper.ts imports test support lib/testing/fake.ts",
      "lib/metrics/http.ts (base) imports lib/http/route.ts (serving): lib imports point down (serving → data → base)",
    ]);
  });

  test("lib importing a service and a service importing another are reported", () => {
    expect(checkServiceBoundaries(fixture).sort()).toEqual([
      "lib/http/uses-service.ts (lib) imports the service file services/b/api.ts",
      "services/a/z.ts (service a) imports services/b/api.ts (service b)",
    ]);
  });

  test("a cycle is printed as a path; a self-import counts; acyclic graphs pass", () => {
    expect(findCycles(fixture)).toEqual(["services/a/x.ts → services/a/y.ts → services/a/z.ts → services/a/x.ts"]);
    expect(findCycles(new Map([["a.ts", ["a.ts"]]]))).toEqual(["a.ts → a.ts"]);
    const diamond: ImportGraph = new Map([
      ["a.ts", ["b.ts", "c.ts"]],
      ["b.ts", ["d.ts"]],
      ["c.ts", ["d.ts"]],
      ["d.ts", []],
    ]);
    expect(findCycles(diamond)).toEqual([]);
  });

  test("the shortest way round a group of files is printed", () => {
    const group: ImportGraph = new Map([
      ["a.ts", ["b.ts"]],
      ["b.ts", ["c.ts", "a.ts"]],
      ["c.ts", ["a.ts"]],
    ]);
    expect(findCycles(group)).toEqual(["a.ts → b.ts → a.ts"]);
  });
});

describe("scanning a source for imports", () => {
  test("static, type-only, re-exports, side-effect and dynamic imports; not text in comments, strings or regexes", () => {
    const source = [
      'import { a } from "./a.ts";',
      'import type { B } from "../b.ts";',
      "import {\n  c,\n  type D,\n} from './c.ts';",
      'export { e } from "./e.ts";',
      'export * from "./f.ts";',
      'import "./side-effect.ts";',
      'const g = await import("./g.ts");',
      '// import { no } from "./comment.ts";',
      '/* import("./block-comment.ts") */',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: source text holding a template literal with code in it
      'const code = `import { no } from "./template.ts"; ${await import("./in-template.ts")}`;',
      'const text = "import(\\"./string.ts\\")";',
      'const re = /from "\\.\\/regex.ts"/;',
      "const half = 1 / 2; const x = Array.from(list);",
    ].join("\n");
    expect(scanImports(source)).toEqual(["./a.ts", "../b.ts", "./c.ts", "./e.ts", "./f.ts", "./side-effect.ts", "./g.ts", "./in-template.ts"]);
  });
});
