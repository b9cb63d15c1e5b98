// Reading top-level members off JSON bytes: on valid JSON it may say no where JSON.parse says yes, never the other way.
import { describe, expect, test } from "bun:test";
import { pick, seededRandom } from "../../../lib/testing/seeded-random.ts";
import { topLevelMembersAre } from "./top-level-members.ts";

const bytes = (s: string) => new TextEncoder().encode(s);
const are = (s: string, want: Record<string, string>) => topLevelMembersAre(bytes(s), want);

/** What JSON.parse makes of it: each wanted key at the top level, holding that string. */
const parsedAre = (s: string, want: Record<string, string>) => {
  try {
    const v = JSON.parse(s) as Record<string, unknown>;
    return typeof v === "object" && v !== null && !Array.isArray(v) && Object.entries(want).every(([k, x]) => v[k] === x);
  } catch {
    return false;
  }
};

describe("topLevelMembersAre", () => {
  test("a compact OIP answer with the id echoed, anywhere among the members", () => {
    const answer = {
      model_name: "lang-id",
      model_version: "1",
      id: "bench",
      outputs: [{ name: "label", datatype: "BYTES", shape: [1], data: ["fr"] }],
    };
    expect(are(JSON.stringify(answer), { id: "bench" })).toBe(true);
    const { id, ...rest } = answer;
    expect(are(JSON.stringify({ id, ...rest }), { id: "bench", model_name: "lang-id" })).toBe(true);
    expect(are(JSON.stringify({ ...answer, id: 'a "quoted" \\ id é' }), { id: 'a "quoted" \\ id é' })).toBe(true);
    expect(are(JSON.stringify(answer, null, 1), { id: "bench" })).toBe(true); // spaces around members are fine
    expect(are('{"outputs":[{"data":[[1,2],[3]]}],"parameters":{"a":{"b":"}"}},"id":"bench"}', { id: "bench" })).toBe(true);
  });

  test("no: absent, different, only nested, twice, written another way, escaped keys, not an object", () => {
    expect(are('{"model_name":"m","outputs":[]}', { id: "bench" })).toBe(false);
    expect(are('{"id":"other","outputs":[]}', { id: "bench" })).toBe(false);
    expect(are('{"parameters":{"id":"bench"},"outputs":[{"id":"bench"}]}', { id: "bench" })).toBe(false);
    expect(are('{"outputs":[{"name":"x","data":["\\"id\\":\\"bench\\""]}]}', { id: "bench" })).toBe(false);
    expect(are('{"id":"bench","id":"other"}', { id: "bench" })).toBe(false);
    expect(are('{"id":"\\u0062ench"}', { id: "bench" })).toBe(false);
    expect(are('{"id":"bench","\\u0069d":"other"}', { id: "bench" })).toBe(false);
    expect(are('{"id":7}', { id: "7" })).toBe(false);
    expect(are('["id","bench"]', { id: "bench" })).toBe(false);
    // Malformed at the top level: no (nested values are not checked, see the module's header).
    expect(are('{"id":"bench"', { id: "bench" })).toBe(false);
    expect(are('{"id":"bench",}', { id: "bench" })).toBe(false);
  });

  test("on valid JSON, never yes where JSON.parse says no (5,000 generated answers)", () => {
    const r = seededRandom(7);
    const values = ['"bench"', '"other"', "1", "null", "true", '{"id":"bench"}', '["bench"]', '"be\\"nch"', '"bench" ', ' "bench"'];
    const keys = ['"id"', '"model_name"', '"outputs"', '"i\\u0064"', '"parameters"'];
    let yes = 0;
    let maybe = 0;
    for (let n = 0; n < 5_000; n++) {
      const members = Array.from({ length: Math.floor(r() * 4) }, () => `${pick(r, keys)}:${pick(r, values)}`);
      let text = `{${members.join(pick(r, [",", " , "]))}}`;
      // Now and then a break: a cut, a stray comma, a missing brace.
      const roll = r();
      if (roll < 0.05) text = text.slice(0, Math.floor(r() * text.length));
      else if (roll < 0.1) text = text.replace("}", ",}");
      let valid = true;
      try {
        JSON.parse(text);
      } catch {
        valid = false;
      }
      if (!valid) continue;
      const got = are(text, { id: "bench" });
      if (got) yes++;
      if (got !== parsedAre(text, { id: "bench" }) && got) throw new Error(`yes, and JSON.parse disagrees: ${text}`);
      if (!got && parsedAre(text, { id: "bench" })) maybe++;
    }
    // Both occur: yes on plenty, and a no now and then where JSON.parse would agree (spaces inside, escapes, duplicates).
    expect(yes).toBeGreaterThan(150);
    expect(maybe).toBeGreaterThan(10);
  });
});
