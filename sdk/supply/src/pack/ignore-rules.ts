import ignore, { type Ignore } from "ignore";

/**
 * One ordered set of gitignore-style rules (a `.npmignore`, a `.gitignore`, npm's defaults):
 * `ignore` compiles and matches them. `nocase` because npm matches its rules without case.
 */
export interface RuleSet {
  /** `false`: the last matching rule excludes; `true`: it includes (`!`); `undefined`: no rule matched. */
  verdict(path: string): boolean | undefined;
}

/** Compiles gitignore text or lines into a rule set. */
export function compileRules(rules: string | readonly string[]): RuleSet {
  const matcher: Ignore = ignore({ ignorecase: true }).add(
    typeof rules === "string" ? rules : rules.join("\n"),
  );
  return {
    verdict(path) {
      const result = matcher.test(path);
      if (result.ignored) return false;
      if (result.unignored) return true;
      return undefined;
    },
  };
}

/**
 * True when `pattern` (a `files` entry with a slash) can match something inside `folder`: each
 * of the folder's segments matches the pattern's segment at that depth (or meets a `**`) and the
 * pattern goes deeper. npm enters a folder only then (minimatch's partial match).
 */
function reachesInto(pattern: string, folder: string): boolean {
  const wanted = pattern.replace(/^\/+/, "").split("/").filter(Boolean);
  if (wanted.length < 2) return false;
  const segments = folder.split("/").filter(Boolean);
  for (const [depth, segment] of segments.entries()) {
    const part = wanted[depth];
    if (part === "**") return true;
    if (part === undefined || !new Bun.Glob(part.toLowerCase()).match(segment.toLowerCase())) return false;
  }
  return wanted.length > segments.length;
}

/**
 * npm's `files` list as a rule set: everything starts excluded, each entry in order includes what
 * it names (a folder, its contents; a pattern, its matches) and a `!entry` excludes again. Each
 * entry is matched on its own, so a pattern inside a folder that an earlier `*` excluded still
 * reaches its files (npm's behaviour, which plain gitignore parent rules would not give). A
 * folder is entered only when an entry names it or reaches into it, so a pattern without a slash
 * (`*.js`) packs root files only, as npm does.
 */
export function compileFilesList(entries: readonly string[]): RuleSet {
  const rules = entries.map((raw) => {
    const negated = raw.startsWith("!");
    let pattern = raw.replace(/^!+/, "");
    if (pattern.startsWith("./")) pattern = pattern.slice(1);
    if (pattern.endsWith("/*")) pattern += "*";
    return { negated, pattern, matcher: ignore({ ignorecase: true }).add(pattern) };
  });
  return {
    verdict(path) {
      const folder = path.endsWith("/");
      let included = false;
      for (const rule of rules) {
        if (rule.matcher.ignores(path)) included = !rule.negated;
        else if (folder && !rule.negated && reachesInto(rule.pattern, path)) included = true;
      }
      return included;
    },
  };
}

/** Applies rule sets in order, each one's verdict (when it has one) replacing the running one. */
export function applyRules(sets: readonly RuleSet[], path: string, start: boolean): boolean {
  let included = start;
  for (const set of sets) included = set.verdict(path) ?? included;
  return included;
}
