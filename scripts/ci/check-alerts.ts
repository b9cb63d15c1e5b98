// CI step: `promtool check rules` on every alert rule file, then `promtool test rules` on every rule unit-test file.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { type PromtoolResult, promtoolCheckRules, promtoolTestRules } from "../../lib/testing/promtool.ts";

const dir = join(import.meta.dir, "..", "..", "deploy", "prometheus");
const ymlIn = (sub: string) =>
  readdirSync(join(dir, sub))
    .filter((f) => f.endsWith(".yml"))
    .sort()
    .map((f) => join(dir, sub, f));

const report = (what: string, files: string[], r: PromtoolResult) => {
  console.log(`check-alerts: promtool ${what} (${files.length} files): ${r.ok ? "ok" : "FAILED"}`);
  console.log(r.output);
  return r.ok;
};

const rules = ymlIn("rules");
const tests = ymlIn("tests");
if (rules.length === 0 || tests.length === 0) {
  console.error("check-alerts: no rule or test files under deploy/prometheus");
  process.exit(1);
}
const checked = report("check rules", rules, await promtoolCheckRules(rules));
const tested = report("test rules", tests, await promtoolTestRules(tests));
process.exit(checked && tested ? 0 : 1);
