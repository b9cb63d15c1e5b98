// Ambient module types for non-code files imported with Bun import attributes (embedded in compiled binaries).
/** `with { type: "file" }`: a path readable with Bun.file (inside /$bunfs/ in a compiled executable). */
declare module "*.wasm" {
  const path: string;
  export default path;
}
/** `with { type: "file" }`: a path readable with Bun.file (inside /$bunfs/ in a compiled executable). */
declare module "*.data" {
  const path: string;
  export default path;
}
/** `with { type: "text" }`: the file's contents (SQL migrations are embedded this way). */
declare module "*.sql" {
  const text: string;
  export default text;
}
/** `with { type: "file" }`: a path readable with Bun.file (fastText models such as lid.176.ftz). */
declare module "*.ftz" {
  const path: string;
  export default path;
}
/** `with { type: "file" }` on a package's browser bundle: a path readable with node:fs (inside /$bunfs/ in a compiled executable). */
declare module "*/dist/browser/standalone.js" {
  const path: string;
  export default path;
}
