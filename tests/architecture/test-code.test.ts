// Test code stays apart from production code, and its names say which is which (*.test.ts, *.suite.ts, testing/, tests/).
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { Glob } from "bun";
import { isTestSupport } from "./import-graph.ts";
import { scanImportBindings } from "./scan-imports.ts";

/**
 * The convention:
 * - `*.test.ts` is a test file bun runs; `*.suite.ts` is a shared bun:test suite that test files call (one suite,
 *   several implementations); helpers for tests live in a `testing/` folder or under `tests/`.
 * - Everything else is production code: it imports neither bun:test nor test code, not even through other files.
 * - Only test files and suites declare test cases (`test`/`it`); helpers may use describe, hooks and expect.
 * - A test file is imported by nobody; a suite by at least one test file (else it never runs).
 * - Benchmarks and CI steps drive test helpers (scripts/bench/ and scripts/ci/ may import test code), but never reach bun:test.
 */
export const isTestFile = (path: string) => path.endsWith(".test.ts");
export const isSuite = (path: string) => path.endsWith(".suite.ts");
/** Test code by name or place: import-graph.ts's definition, which the layering test uses too. */
const isTestCode = isTestSupport;
const MAY_IMPORT_TEST_CODE = ["scripts/bench/", "scripts/ci/"];

/** A module's imports: bare specifiers as written, relative ones resolved to repository paths. */
export function importsOf(path: string, source: string): { specifier: string; names: string[] }[] {
  return scanImportBindings(source).map(({ specifier, names }) => ({
    specifier: specifier.startsWith(".") ? normalize(join(dirname(path), specifier)) : specifier,
    names,
  }));
}

/** Every rule broken by `files` (repository path → source), one line each; empty when the convention holds. */
export function testCodeViolations(files: Map<string, string>): string[] {
  const problems: string[] = [];
  const imports = new Map([...files].map(([path, source]) => [path, importsOf(path, source)]));
  /** Whether bun:test is among the imports of `path`, of what it imports, and so on (a walk, so circles end). */
  const reaches = (path: string, seen = new Set<string>()): boolean => {
    if (seen.has(path)) return false;
    seen.add(path);
    return (imports.get(path) ?? []).some((i) => i.specifier === "bun:test" || reaches(i.specifier, seen));
  };
  const importers = new Map<string, string[]>();
  for (const [path, list] of imports) for (const i of list) importers.set(i.specifier, [...(importers.get(i.specifier) ?? []), path]);

  for (const [path, list] of imports) {
    const bunTest = list.filter((i) => i.specifier === "bun:test");
    if (!isTestCode(path)) {
      if (bunTest.length > 0) problems.push(`${path}: imports bun:test but is not named *.test.ts or *.suite.ts nor under testing/ or tests/`);
      else if (reaches(path)) problems.push(`${path}: production code that reaches bun:test through its imports`);
      const allowed = MAY_IMPORT_TEST_CODE.some((prefix) => path.startsWith(prefix));
      for (const i of list) if (!allowed && isTestCode(i.specifier)) problems.push(`${path}: production code imports test code ${i.specifier}`);
    }
    const declares = bunTest.flatMap((i) => i.names).filter((n) => n === "test" || n === "it");
    if (declares.length > 0 && !isTestFile(path) && !isSuite(path))
      problems.push(`${path}: declares tests (${declares.join(", ")}) but is not a *.test.ts or *.suite.ts`);
    if (isTestFile(path) && importers.has(path)) problems.push(`${path}: a test file imported by ${importers.get(path)?.join(", ")}`);
    if (isSuite(path) && !(importers.get(path) ?? []).some(isTestFile)) problems.push(`${path}: a suite no *.test.ts runs`);
  }
  return problems;
}

/** Every TypeScript file the type checker sees (tsconfig.json "include"), by repository path. */
function repositoryFiles(root: string): Map<string, string> {
  const { include } = JSON.parse(readFileSync(join(root, "tsconfig.json"), "utf8")) as { include: string[] };
  const files = new Map<string, string>();
  for (const entry of include) {
    const pattern = entry.endsWith(".ts") ? entry : `${entry}/**/*.ts`;
    for (const path of new Glob(pattern).scanSync({ cwd: root })) files.set(path, readFileSync(join(root, path), "utf8"));
  }
  return files;
}

describe("the test-code checker", () => {
  const check = (files: Record<string, string>) => testCodeViolations(new Map(Object.entries(files)));
  const suite = 'import { expect, test } from "bun:test";\nexport function s() { test("x", () => expect(1).toBe(1)); }';

  test("reads imports: multi-line, type-only, side-effect and dynamic ones, relative ones resolved", () => {
    const source = 'import {\n  a,\n  type B,\n} from "./x.ts";\nimport type { C } from "../c.ts";\nimport "./side.ts";\nconst d = await import("pkg");';
    expect(importsOf("lib/m/file.ts", source)).toEqual([
      { specifier: "lib/m/x.ts", names: ["a"] },
      { specifier: "lib/c.ts", names: [] },
      { specifier: "lib/m/side.ts", names: [] },
      { specifier: "pkg", names: [] },
    ]);
  });

  test("accepts the convention", () => {
    expect(
      check({
        "lib/a/thing.ts": "export const x = 1;",
        "lib/a/thing.test.ts": 'import { test } from "bun:test";\nimport { x } from "./thing.ts";\nimport { s } from "./thing.suite.ts";\ns();',
        "lib/a/thing.suite.ts": suite,
        "lib/a/testing/frame.ts": 'import { describe } from "bun:test";',
        "tests/e2e/helper.ts": 'import { x } from "../../lib/a/thing.ts";',
        "scripts/bench/run.ts": 'import { h } from "../../tests/e2e/helper.ts";',
      }),
    ).toEqual([]);
  });

  test("names each way the convention can be broken", () => {
    expect(
      check({
        "lib/a/scenarios.ts": suite,
        "lib/a/prod.ts": 'import { f } from "./testing/frame.ts";',
        "lib/a/indirect.ts": 'import { p } from "./prod.ts";',
        "lib/a/testing/frame.ts": 'import { describe, test } from "bun:test";',
        "lib/a/lonely.suite.ts": suite,
        "lib/a/one.test.ts": 'import { test } from "bun:test";',
        "lib/a/two.test.ts": 'import "./one.test.ts";',
        "scripts/bench/run.ts": 'import { f } from "../../lib/a/testing/frame.ts";',
      }),
    ).toEqual([
      "lib/a/scenarios.ts: imports bun:test but is not named *.test.ts or *.suite.ts nor under testing/ or tests/",
      "lib/a/scenarios.ts: declares tests (test) but is not a *.test.ts or *.suite.ts",
      "lib/a/prod.ts: production code that reaches bun:test through its imports",
      "lib/a/prod.ts: production code imports test code lib/a/testing/frame.ts",
      "lib/a/indirect.ts: production code that reaches bun:test through its imports",
      "lib/a/testing/frame.ts: declares tests (test) but is not a *.test.ts or *.suite.ts",
      "lib/a/lonely.suite.ts: a suite no *.test.ts runs",
      "lib/a/one.test.ts: a test file imported by lib/a/two.test.ts",
      "scripts/bench/run.ts: production code that reaches bun:test through its imports",
    ]);
  });
});

test("the repository follows the test-code convention", () => {
  const files = repositoryFiles(join(import.meta.dir, "../.."));
  expect(files.size).toBeGreaterThan(200);
  expect(files.has("tests/architecture/test-code.test.ts")).toBe(true);
  expect(testCodeViolations(files)).toEqual([]);
});
