import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { compileIgnore, isIgnored } from "./ignore-rules.ts";

/** Never packed, whatever `files` or `.npmignore` say. */
const NEVER = compileIgnore(
  [
    ".git/",
    "node_modules/",
    ".npmrc",
    "package-lock.json",
    "bun.lock",
    "bun.lockb",
    ".DS_Store",
    "*.tgz",
  ].join("\n"),
);
/** Always packed when present at the root. */
const ALWAYS = /^(package\.json|readme(\.[^/]*)?|licen[cs]e(\.[^/]*)?|changelog(\.[^/]*)?)$/i;

function walk(root: string, relative = ""): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(join(root, relative), { withFileTypes: true })) {
    const path = relative ? `${relative}/${entry.name}` : entry.name;
    if (isIgnored(NEVER, path)) continue;
    if (entry.isDirectory()) found.push(...walk(root, path));
    else if (entry.isFile()) found.push(path);
  }
  return found;
}

function matchesFiles(patterns: readonly string[], path: string): boolean {
  return patterns.some((raw) => {
    const pattern = raw.replace(/^\.?\/+/, "").replace(/\/+$/, "");
    return new Bun.Glob(pattern).match(path) || new Bun.Glob(`${pattern}/**`).match(path);
  });
}

/**
 * The files npm would pack from `dir`, sorted: those matching `files` when the package.json
 * has it, else every file not ignored by `.npmignore` (or `.gitignore` when there is no
 * `.npmignore`); `package.json`, README, LICENSE and the `main` file always; `.git`,
 * `node_modules` and lockfiles never.
 */
export function selectFiles(dir: string, pkg: { files?: unknown; main?: unknown }): string[] {
  const all = walk(dir);
  const main = typeof pkg.main === "string" ? pkg.main.replace(/^\.\//, "") : undefined;
  const always = (path: string) => ALWAYS.test(path) || path === main;
  let keep: (path: string) => boolean;
  if (Array.isArray(pkg.files)) {
    const patterns = pkg.files.filter((p): p is string => typeof p === "string");
    keep = (path) => matchesFiles(patterns, path);
  } else {
    const ignoreFile = [".npmignore", ".gitignore"].map((name) => join(dir, name)).find(existsSync);
    const rules = ignoreFile ? compileIgnore(readFileSync(ignoreFile, "utf8")) : [];
    keep = (path) => !isIgnored(rules, path) && path !== ".npmignore" && path !== ".gitignore";
  }
  return all.filter((path) => always(path) || keep(path)).sort();
}
