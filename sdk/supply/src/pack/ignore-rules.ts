/** One line of a `.npmignore` / `.gitignore`, compiled to globs. */
interface IgnoreRule {
  negated: boolean;
  globs: Bun.Glob[];
}

/**
 * Compiles `.npmignore` / `.gitignore` text (gitignore syntax: `#` comments, `!` negation, a
 * leading or inner `/` anchors to the package root, a trailing `/` matches folders only).
 */
export function compileIgnore(text: string): IgnoreRule[] {
  const rules: IgnoreRule[] = [];
  for (const raw of text.split(/\r?\n/)) {
    let line = raw.trimEnd();
    if (line === "" || line.startsWith("#")) continue;
    const negated = line.startsWith("!");
    if (negated) line = line.slice(1);
    const folderOnly = line.endsWith("/");
    line = line.replace(/\/+$/, "");
    const anchored = line.includes("/");
    line = line.replace(/^\/+/, "");
    if (line === "") continue;
    const base = anchored ? line : `**/${line}`;
    const patterns = folderOnly ? [`${base}/**`] : [base, `${base}/**`];
    rules.push({ negated, globs: patterns.map((pattern) => new Bun.Glob(pattern)) });
  }
  return rules;
}

/** True when the last rule matching `path` (relative, `/`-separated) ignores it. */
export function isIgnored(rules: readonly IgnoreRule[], path: string): boolean {
  let ignored = false;
  for (const rule of rules) {
    if (rule.globs.some((glob) => glob.match(path))) ignored = !rule.negated;
  }
  return ignored;
}
