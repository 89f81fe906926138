/** What a TypeScript file imports, type-only imports included. */

const transpilers = {
  ts: new Bun.Transpiler({ loader: "ts" }),
  tsx: new Bun.Transpiler({ loader: "tsx" }),
};

/**
 * Bun's scanner parses properly (strings, templates, comments, regexes) but drops type-only
 * imports, which are dependencies all the same: spell them as value imports first.
 */
function typeImportsAsValues(source: string): string {
  return source
    .replace(/^#![^\n]*/, "") // a bin script's shebang line
    .replace(/\bimport\s+type\s+/g, "import ")
    .replace(/\bexport\s+type\s+(?=[{*])/g, "export ")
    .replace(/([{,]\s*)type\s+(?=[A-Za-z_$][\w$]*\s*(?:,|}|\bas\b))/g, "$1");
}

/** The specifiers `source` imports or re-exports, statically or dynamically; JSX only in `.tsx` files. */
export function importsOf(source: string, path = "file.ts"): string[] {
  const transpiler = path.endsWith(".tsx") ? transpilers.tsx : transpilers.ts;
  return transpiler.scanImports(typeImportsAsValues(source)).map((entry) => entry.path);
}
