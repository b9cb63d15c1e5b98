// The breaking-change gate: the deliberately breaking fixture fails it (each kind of break found), the additive one passes, versioning allows.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compareContracts } from "./breaking-changes.ts";

const here = import.meta.dir;
const load = (path: string) => Bun.file(join(here, path)).json();
const fixture = (name: string) => load(`fixtures/${name}.json`);
const where = (changes: { where: string }[]) => changes.map((c) => c.where);

describe("OpenAPI fixtures against the same last release (fixtures/base.json)", () => {
  test("breaking.json: every break is caught, one finding per kind", async () => {
    const r = compareContracts(await fixture("base"), await fixture("breaking"));
    expect(r.accepted).toEqual([]);
    expect(where(r.breaking).toSorted()).toEqual(
      [
        "paths./v1/things/{id}.get", // removed operation
        "paths./v1/things.post.responses.201", // changed status (201 → 200)
        "paths./v1/things.post.requestBody.content.application/json.schema.required.1", // new required request field
        "paths./v1/things.post.requestBody.content.application/json.schema.properties.color.enum.2", // removed enum value
        "paths./v1/things.post.requestBody.content.application/json.schema.properties.weight.type", // narrowed type (number → integer)
        "paths./v1/things.get.parameters.0.schema.maximum", // narrowed range of a parameter
        "paths./v1/things.get.responses.200.content.application/json.schema.properties.items.items.properties.size", // removed response field
        "paths./v1/things.get.responses.200.content.application/json.schema.properties.items.items.required.3", // … and its guarantee
        "paths./v1/things.get.responses.200.content.application/json.schema.properties.items.items.properties.id.type", // changed response type
      ].toSorted(),
    );
  });

  test("additive.json: new path, optional parameter and field, enum value, wider request type and range, narrower response type, new problem code: nothing breaking", async () => {
    const r = compareContracts(await fixture("base"), await fixture("additive"));
    expect(r.breaking).toEqual([]);
    expect(r.nonBreaking).toBeGreaterThanOrEqual(8);
    // A new problem code reaches every error answer; it is the one kind of growth the gate allows inside a version.
    expect(r.accepted.map((c) => c.accepted)).toEqual(Array(3).fill("a new problem code (clients handle unknown codes by status)"));
  });

  test("the same breaks under a major info.version are allowed, each one still listed", async () => {
    const r = compareContracts(await fixture("base"), await fixture("major-version"));
    expect(r.breaking).toEqual([]);
    expect(r.accepted).toHaveLength(9);
    expect(r.accepted[0]?.accepted).toBe("major version 1.4.0 → 2.0.0");
  });

  test("a break of /v1/things/{id} is allowed in the release that adds /v2/things/{thingId}, not otherwise", async () => {
    const v2 = await fixture("v2-path");
    const allowed = compareContracts(await fixture("base"), v2);
    expect(allowed.breaking).toEqual([]);
    expect(allowed.accepted.map((c) => c.accepted)).toEqual(["superseded by the new /v2/things/{thingId}", "superseded by the new /v2/things/{thingId}"]);
    // Once /v2 was released, a later break of /v1 is a break again.
    const later = structuredClone(v2);
    delete later.paths["/v1/things/{id}"];
    expect(where(compareContracts(v2, later).breaking)).toEqual(["paths./v1/things/{id}.get"]);
  });
});

describe("event contracts: payloads compared as what consumers read", () => {
  test("AsyncAPI: a removed payload field or channel breaks, a new optional field does not", async () => {
    const doc = await load("../../openapi/events/asyncapi.json");
    const removedField = structuredClone(doc);
    const data = removedField.components.messages.orderPlaced.payload.properties.data;
    delete data.properties.placedAt;
    data.required = data.required.filter((f: string) => f !== "placedAt");
    expect(where(compareContracts(doc, removedField).breaking)).toContain(
      "paths./orders.placed/orderPlaced.get.responses.200.content.application/json.schema.properties.data.properties.placedAt",
    );

    const removedChannel = structuredClone(doc);
    delete removedChannel.channels.ordersCancelled;
    expect(where(compareContracts(doc, removedChannel).breaking)).toEqual(["paths./orders.cancelled/orderCancelled.get"]);

    const added = structuredClone(doc);
    added.components.messages.deadLetter.payload.properties.note = { type: "string" };
    expect(compareContracts(doc, added).breaking).toEqual([]);
    expect(compareContracts(doc, doc).nonBreaking).toBe(0);
  });

  test("JSON Schema event files: a widened field type breaks, unless the platform's major version moved", async () => {
    const doc = await load("../../openapi/events/orders.cancelled.json");
    const widened = structuredClone(doc);
    widened.properties.data.properties.customerId.type = ["string", "null"];
    expect(where(compareContracts(doc, widened, { before: "0.4.0", after: "0.5.0" }).breaking)).toEqual([
      "paths./.get.responses.200.content.application/json.schema.properties.data.properties.customerId.type",
    ]);
    expect(compareContracts(doc, widened, { before: "0.5.0", after: "1.0.0" }).breaking).toEqual([]);
  });
});

describe("npm run openapi:breaking in a repository", () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });
  const sh = (cwd: string, ...cmd: string[]) => {
    const p = Bun.spawnSync(cmd, {
      cwd,
      stdout: "pipe",
      stderr: "pipe",
      env: { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@t", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@t" },
    });
    return { code: p.exitCode, out: p.stdout.toString() + p.stderr.toString() };
  };
  const gate = (cwd: string) => sh(cwd, process.execPath, join(here, "breaking.ts"));

  test("no v* tag: says so and passes; after tagging, the breaking fixture fails and the additive one passes", async () => {
    const repo = await mkdtemp(join(tmpdir(), "breaking-gate-"));
    dirs.push(repo);
    await Bun.write(join(repo, "package.json"), JSON.stringify({ version: "1.4.0" }));
    await Bun.write(join(repo, "openapi/things.json"), Bun.file(join(here, "fixtures/base.json")));
    sh(repo, "git", "init", "-q");
    sh(repo, "git", "add", ".");
    sh(repo, "git", "commit", "-q", "-m", "first");

    const untagged = gate(repo);
    expect(untagged.code).toBe(0);
    expect(untagged.out).toContain("no v* release tag yet");

    sh(repo, "git", "tag", "v1.4.0");
    await Bun.write(join(repo, "openapi/things.json"), Bun.file(join(here, "fixtures/breaking.json")));
    const broken = gate(repo);
    expect(broken.code).toBe(1);
    expect(broken.out).toContain("comparing 1 contract(s) with v1.4.0");
    expect(broken.out).toContain("✗ openapi/things.json: 9 breaking");
    expect(broken.out).toContain("[Removed] operation GET /v1/things/{id}");

    await Bun.write(join(repo, "openapi/things.json"), Bun.file(join(here, "fixtures/additive.json")));
    const additive = gate(repo);
    expect(additive.out).toContain("✓ openapi/things.json: 0 breaking");
    expect(additive.code).toBe(0);
  }, 30_000);
});
