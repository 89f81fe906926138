import { existsSync, lstatSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { applyRules, compileFilesList, compileRules, type RuleSet } from "./ignore-rules.ts";

/** npm-packlist's defaults, applied in every folder (before the package's own rules). */
const DEFAULTS = compileRules([
  ".npmignore",
  ".gitignore",
  "**/.git",
  "**/.svn",
  "**/.hg",
  "**/CVS",
  "/.lock-wscript",
  "/.wafpickle-*",
  "/build/config.gypi",
  "npm-debug.log",
  "**/.npmrc",
  ".*.swp",
  ".DS_Store",
  "._*",
  "*.orig",
  "/archived-packages/",
]);
/** Excluded in every folder whatever the package says (npm's strict rules for a folder). */
const STRICT_EVERYWHERE = ["/.git"];
/** npm's `!/readme{,.*[^~$]}` and its siblings: packed from the root, editor backups aside. */
const ROOT_DOC = /^(readme|copying|license|licence)(\.[^/]*[^~$/])?$/i;
/** npm's strict rules at the package root that exclude (they come last, so they win). */
const ROOT_NEVER = [
  "/.git",
  "/node_modules",
  ".npmrc",
  "/package-lock.json",
  "/yarn.lock",
  "/pnpm-lock.yaml",
  "/bun.lockb",
];

/** The package.json fields that decide what is packed. */
export interface PackFields {
  files?: unknown;
  main?: unknown;
  browser?: unknown;
  bin?: unknown;
}

interface Level {
  /** Folder relative to the package root, "" for the root. */
  dir: string;
  sets: RuleSet[];
}

function required(pkg: PackFields, root: string): string[] {
  const paths: string[] = [];
  for (const field of [pkg.main, pkg.browser]) if (typeof field === "string") paths.push(field);
  if (typeof pkg.bin === "string") paths.push(pkg.bin);
  else if (pkg.bin && typeof pkg.bin === "object")
    for (const value of Object.values(pkg.bin)) if (typeof value === "string") paths.push(value);
  if (Array.isArray(pkg.files))
    for (const entry of pkg.files)
      if (typeof entry === "string" && !entry.startsWith("!") && isFile(root, entry)) paths.push(entry);
  return paths.map((path) => path.replace(/^\.?\/+/, ""));
}

function isFile(root: string, path: string): boolean {
  try {
    return lstatSync(join(root, path.replace(/^!+/, ""))).isFile();
  } catch {
    return false;
  }
}

function ignoreFileRules(folder: string): RuleSet[] {
  const found = [".npmignore", ".gitignore"].map((name) => join(folder, name)).find(existsSync);
  return found ? [compileRules(readFileSync(found, "utf8"))] : [];
}

/**
 * The files npm would pack from `dir` (the rules of npm-packlist, which `npm pack` uses), sorted:
 * in each folder npm's defaults, then the root's `files` list (with `!` negations) or else the
 * folder's `.npmignore` (its `.gitignore` when it has none; nested ones count too, even under
 * `files`), then the strict rules: `package.json`, README*, LICENSE*, LICENCE*, COPYING* and the
 * `main`, `browser` and `bin` files always, `.git`, `node_modules`, `.npmrc` and lockfiles never.
 */
export function selectFiles(dir: string, pkg: PackFields & Record<string, unknown>): string[] {
  const requiredFiles = required(pkg, dir);
  const rootSets = [
    DEFAULTS,
    ...(Array.isArray(pkg.files)
      ? [compileFilesList(pkg.files.filter((p): p is string => typeof p === "string"))]
      : ignoreFileRules(dir)),
    {
      verdict: (path: string) =>
        path === "package.json" ||
        ROOT_DOC.test(path) ||
        requiredFiles.some((file) => file === path || file.startsWith(path.endsWith("/") ? path : `${path}/`))
          ? true
          : undefined,
    },
    compileRules(ROOT_NEVER),
  ];
  const found: string[] = [];
  const walk = (levels: Level[], relative: string): void => {
    for (const entry of readdirSync(join(dir, relative), { withFileTypes: true })) {
      const path = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (!decide(levels, `${path}/`)) continue;
        const inside = requiredFiles
          .filter((file) => file.startsWith(`${path}/`))
          .map((file) => `!/${file.slice(path.length + 1)}`);
        const sets = [
          DEFAULTS,
          ...ignoreFileRules(join(dir, path)),
          compileRules([...STRICT_EVERYWHERE, ...inside]),
        ];
        walk([...levels, { dir: path, sets }], path);
      } else if (entry.isFile() && decide(levels, path)) {
        found.push(path);
      }
    }
  };
  walk([{ dir: "", sets: rootSets }], "");
  return found.sort();
}

/**
 * A path's verdict, folder by folder from the root: each folder's rules see the path relative to
 * that folder, starting from the verdict of the folders above.
 */
function decide(levels: readonly Level[], path: string): boolean {
  let included = true;
  for (const level of levels) {
    const relative = level.dir ? path.slice(level.dir.length + 1) : path;
    included = applyRules(level.sets, relative, included);
  }
  return included;
}
