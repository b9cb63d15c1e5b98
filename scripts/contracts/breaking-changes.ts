// Classifies the changes between two versions of a contract (OpenAPI, AsyncAPI or JSON Schema) with api-smart-diff, and says which break clients.
import { apiCompare } from "api-smart-diff";

export interface Change {
  /** Where in the compared document (OpenAPI view for events, see `readerView`), e.g. `paths./v1/orders.post.responses.201`. */
  where: string;
  description: string;
  /** Set when a breaking change is allowed: why. */
  accepted?: string;
}

export interface Comparison {
  breaking: Change[];
  /** Breaking changes the versioning allows (a major version bump, a new /vN+1 path, a new problem code). */
  accepted: Change[];
  /** Changes the tool could not classify: shown, not failed on. */
  unclassified: Change[];
  nonBreaking: number;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** The value a local `$ref` (`#/a/b`) points at, or `value` itself. */
function deref(doc: Json, value: unknown): unknown {
  if (!isObject(value) || typeof value.$ref !== "string" || !value.$ref.startsWith("#/")) return value;
  let at: unknown = doc;
  for (const part of value.$ref.slice(2).split("/")) at = isObject(at) ? at[part.replaceAll("~1", "/").replaceAll("~0", "~")] : undefined;
  return at;
}

/**
 * The document with `#/components/responses/*` references inlined: the tool classifies a schema reached through such a
 * reference by request rules (an added enum value then passes), so it must see responses where they are used.
 */
function inlineResponses(doc: Json): Json {
  const out = structuredClone(doc);
  for (const item of Object.values(isObject(out.paths) ? out.paths : {})) {
    for (const operation of Object.values(isObject(item) ? item : {})) {
      if (!isObject(operation) || !isObject(operation.responses)) continue;
      for (const [status, response] of Object.entries(operation.responses)) operation.responses[status] = deref(out, response);
    }
  }
  return out;
}

const readOnly = (schema: unknown, contentType = "application/json") => ({
  get: { responses: { "200": { description: "what consumers read", content: { [contentType]: { schema } } } } },
});

/**
 * The document as OpenAPI, so one classifier serves all three kinds. Events are what consumers READ: every AsyncAPI
 * message (and a bare JSON Schema event file) becomes the 200 response of a GET at `/<channel address>/<message>`,
 * so a removed field, a widened type or a removed channel counts as breaking, like in an HTTP answer.
 */
export function readerView(doc: Json): Json {
  if (typeof doc.openapi === "string") return inlineResponses(doc);
  const paths: Json = {};
  if (typeof doc.asyncapi === "string") {
    const fallback = typeof doc.defaultContentType === "string" ? doc.defaultContentType : "application/json";
    for (const channel of Object.values(isObject(doc.channels) ? doc.channels : {})) {
      if (!isObject(channel)) continue;
      for (const [name, ref] of Object.entries(isObject(channel.messages) ? channel.messages : {})) {
        const message = deref(doc, ref);
        if (!isObject(message)) continue;
        paths[`/${String(channel.address)}/${name}`] = readOnly(
          message.payload ?? {},
          typeof message.contentType === "string" ? message.contentType : fallback,
        );
      }
    }
  } else {
    paths["/"] = readOnly(doc);
  }
  return { openapi: "3.1.0", info: isObject(doc.info) ? doc.info : { title: String(doc.title ?? doc.$id ?? "schema"), version: "0.0.0" }, paths };
}

const major = (version: unknown): number => {
  const m = typeof version === "string" ? /^v?(\d+)\./.exec(version) : null;
  return m ? Number(m[1]) : Number.NaN;
};
const versionOf = (doc: Json, fallback?: string): unknown => (isObject(doc.info) ? doc.info.version : undefined) ?? fallback;

/** `/v1/orders/{id}` → ["1", "/orders/{}"]; undefined for an unversioned path. */
function versionedPath(path: string): [number, string] | undefined {
  const m = /^\/v(\d+)(\/.*)?$/.exec(path);
  return m ? [Number(m[1]), (m[2] ?? "").replace(/\{[^}]*\}/g, "{}")] : undefined;
}

/** Why a breaking change at `path` (a diff path) is allowed, if it is. */
function allowance(path: (string | number)[], action: string, before: Json, after: Json): string | undefined {
  const at = path.map(String);
  // The closed set of problem codes may grow inside a version: clients keep a default branch (the client README says so).
  const problem = at.indexOf("application/problem+json");
  if (action === "add" && at[0] === "paths" && at.includes("responses") && problem > 0 && at.at(-3) === "code" && at.at(-2) === "enum") {
    return "a new problem code (clients handle unknown codes by status)";
  }
  if (at[0] !== "paths" || at[1] === undefined) return undefined;
  const mine = versionedPath(at[1]);
  if (!mine) return undefined;
  const [version, rest] = mine;
  const old = new Set(Object.keys(isObject(before.paths) ? before.paths : {}));
  for (const candidate of Object.keys(isObject(after.paths) ? after.paths : {})) {
    const other = versionedPath(candidate);
    if (other && other[0] > version && other[1] === rest && !old.has(candidate)) return `superseded by the new ${candidate}`;
  }
  return undefined;
}

const typesOf = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === "string" ? [v] : []);
/** Whether every type in `inner` is one of `outer`'s (an integer is a number). */
const within = (inner: string[], outer: string[]) => inner.every((t) => outer.includes(t) || (t === "integer" && outer.includes("number")));

/**
 * A changed `type` in a schema, classified by who reads the value: api-smart-diff 1.0.6 calls every changed type in a
 * response non-breaking (string → integer included), so the gate decides these itself. Readers (responses, events)
 * are safe when the type narrows; writers (request bodies, parameters) when it widens.
 */
function typeChange(path: (string | number)[], before: unknown, after: unknown): "breaking" | "non-breaking" | undefined {
  if (path.at(-1) !== "type" || !path.includes("schema")) return undefined;
  const [b, a] = [typesOf(before), typesOf(after)];
  if (b.length === 0 || a.length === 0) return undefined;
  const read = path[0] === "paths" && path.includes("responses");
  return (read ? within(a, b) : within(b, a)) ? "non-breaking" : "breaking";
}

/**
 * Compares `before` (the last release) with `after` (now). `fallbackVersion` stands in for info.version in documents
 * without one (bare JSON Schema event files): the platform's version then.
 */
export function compareContracts(before: Json, after: Json, versions: { before?: string; after?: string } = {}): Comparison {
  const [b, a] = [readerView(before), readerView(after)];
  const result: Comparison = { breaking: [], accepted: [], unclassified: [], nonBreaking: 0 };
  const bumped = major(versionOf(after, versions.after)) > major(versionOf(before, versions.before));
  // Copies: the tool's transformations write to the documents it is given.
  for (const diff of apiCompare(structuredClone(b), structuredClone(a)).diffs) {
    // Component schemas are compared where they are used (references are resolved in place), with the direction
    // (request or response) known there; their own entries repeat those without it.
    if (diff.path[0] === "components" && diff.path[1] !== "securitySchemes") continue;
    const change: Change = { where: diff.path.join("."), description: diff.description || `${diff.action} ${diff.path.at(-1)}` };
    const type = (diff.action === "replace" && typeChange(diff.path, diff.before, diff.after)) || diff.type;
    if (type === "breaking") {
      const why = bumped
        ? `major version ${String(versionOf(before, versions.before))} → ${String(versionOf(after, versions.after))}`
        : allowance(diff.path, diff.action, b, a);
      if (why) result.accepted.push({ ...change, accepted: why });
      else result.breaking.push(change);
    } else if (type === "unclassified") result.unclassified.push(change);
    else if (type === "non-breaking") result.nonBreaking++;
  }
  return result;
}
