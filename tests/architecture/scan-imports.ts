// The module specifiers a TypeScript source imports (static, type-only, re-exports, dynamic), read past comments and strings.

/** Punctuation after which a "/" starts a regular expression rather than a division. */
const BEFORE_REGEX = new Set(["", "(", ",", "=", ":", "[", "!", "&", "|", "?", "{", "}", ";", "+", "-", "*", "%", "<", ">", "~", "^"]);
const KEYWORDS_BEFORE_REGEX = new Set(["return", "typeof", "case", "in", "of", "delete", "void", "throw", "new", "await", "yield"]);

type Token = { kind: "word" | "string" | "punct"; text: string };

/** One import or re-export: its specifier as written, and the value bindings it takes (type-only ones left out). */
export interface ImportBinding {
  specifier: string;
  names: string[];
}

/**
 * Every specifier in `import … from "x"`, `import "x"`, `export … from "x"` and `import("x")` with a literal; text in
 * comments, strings, template literals and regular expressions is skipped (test files write code into strings).
 */
export function scanImports(source: string): string[] {
  return scanImportBindings(source).map((b) => b.specifier);
}

/** As scanImports, with the names each static import binds (`import { a, type B } from` → ["a"]; `import type` → []). */
export function scanImportBindings(source: string): ImportBinding[] {
  const tokens = tokenize(source);
  const found: ImportBinding[] = [];
  /** The bound names between an `import` at `start` and its `from`, unless the whole clause is type-only. */
  const namesBetween = (start: number, from: number): Token[] => {
    const clause = tokens.slice(start + 1, from);
    if (clause[0]?.text === "type") return [];
    return clause.filter((t, i) => t.kind === "word" && t.text !== "type" && t.text !== "as" && clause[i - 1]?.text !== "type" && clause[i + 1]?.text !== "as");
  };
  let clauseStart = -1;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    const next = tokens[i + 1];
    if (t.kind !== "word") continue;
    if (t.text === "from" && next?.kind === "string") {
      found.push({ specifier: next.text, names: clauseStart >= 0 ? namesBetween(clauseStart, i).map((n) => n.text) : [] });
      clauseStart = -1;
    } else if (t.text === "import" && next?.kind === "string") found.push({ specifier: next.text, names: [] });
    else if (t.text === "import" && next?.text === "(" && tokens[i + 2]?.kind === "string" && tokens[i + 3]?.text === ")")
      found.push({ specifier: tokens[i + 2]?.text as string, names: [] });
    else if (t.text === "import" || t.text === "export") clauseStart = t.text === "import" ? i : -1;
  }
  return found;
}

/** Words, quoted strings (their value) and single punctuation characters; templates only through their `${…}` code. */
function tokenize(src: string): Token[] {
  const out: Token[] = [];
  // One entry per open template literal: the brace depth at which its current `${` expression closes.
  const templates: number[] = [];
  let depth = 0;
  let i = 0;
  const last = () => out[out.length - 1];
  const regexAllowed = () => {
    const t = last();
    if (t === undefined) return true;
    if (t.kind === "word") return KEYWORDS_BEFORE_REGEX.has(t.text);
    return t.kind === "punct" && BEFORE_REGEX.has(t.text);
  };
  const skipTemplate = () => {
    // From just after a "`" or a template's closing "}": to the closing "`" (returns) or into a `${` (pushes).
    while (i < src.length) {
      const c = src[i];
      if (c === "\\") i += 2;
      else if (c === "`") {
        i++;
        out.push({ kind: "string", text: "" });
        return;
      } else if (c === "$" && src[i + 1] === "{") {
        i += 2;
        templates.push(depth);
        depth++;
        return;
      } else i++;
    }
  };
  while (i < src.length) {
    const c = src[i] as string;
    if (c === "/" && src[i + 1] === "/") {
      const end = src.indexOf("\n", i);
      i = end === -1 ? src.length : end;
    } else if (c === "/" && src[i + 1] === "*") {
      const end = src.indexOf("*/", i + 2);
      i = end === -1 ? src.length : end + 2;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      let value = "";
      while (j < src.length && src[j] !== c && src[j] !== "\n") {
        if (src[j] === "\\") j++;
        value += src[j];
        j++;
      }
      out.push({ kind: "string", text: value });
      i = j + 1;
    } else if (c === "`") {
      i++;
      skipTemplate();
    } else if (c === "/" && regexAllowed()) {
      let j = i + 1;
      let inClass = false;
      while (j < src.length && src[j] !== "\n" && (inClass || src[j] !== "/")) {
        if (src[j] === "\\") j++;
        else if (src[j] === "[") inClass = true;
        else if (src[j] === "]") inClass = false;
        j++;
      }
      i = j + 1;
      while (/[a-z]/.test(src[i] ?? "")) i++;
      out.push({ kind: "string", text: "" });
    } else if (/[A-Za-z_$0-9]/.test(c)) {
      let j = i + 1;
      while (j < src.length && /[A-Za-z_$0-9]/.test(src[j] as string)) j++;
      out.push({ kind: "word", text: src.slice(i, j) });
      i = j;
    } else if (/\s/.test(c)) i++;
    else {
      i++;
      if (c === "{") depth++;
      else if (c === "}") {
        depth--;
        if (templates.length > 0 && templates[templates.length - 1] === depth) {
          templates.pop();
          skipTemplate();
          continue;
        }
      }
      out.push({ kind: "punct", text: c });
    }
  }
  return out;
}
