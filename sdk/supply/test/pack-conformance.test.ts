import { afterAll, describe, expect, it } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { selectFiles } from "@buntime/supply";

/**
 * Conformance with npm: each layout is packed by our file selection and by the real
 * `npm pack --dry-run --json`, and the two lists must be the same. Two npm quirks are left out on
 * purpose (docs/publishing.md): a `main` written `./x.js` is packed (npm forgets it under a
 * `files` list), and a folder excluded by an ignore rule stays excluded even when it holds the
 * `main` file (npm then packs the whole folder).
 */
const temporary: string[] = [];
afterAll(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

interface Layout {
  name: string;
  pkg?: Record<string, unknown>;
  files: string[] | Record<string, string>;
}

const layouts: Layout[] = [
  {
    name: "no files list: everything but npm's never-packed files",
    files: [
      "index.js",
      "src/a.ts",
      "node_modules/dep/index.js",
      ".git/HEAD",
      ".npmrc",
      "src/.npmrc",
      "package-lock.json",
      "yarn.lock",
      "bun.lockb",
      "x.orig",
      ".DS_Store",
      ".a.swp",
      "npm-debug.log",
      "CHANGELOG.md",
      "README.md~",
      "src/node_modules/x.js",
    ],
  },
  {
    name: "files list with folders, patterns and negations",
    pkg: { files: ["dist", "lib/*.js", "!dist/secret.js", "types/index.d.ts"] },
    files: [
      "dist/a.js",
      "dist/secret.js",
      "dist/deep/b.js",
      "lib/x.js",
      "lib/x.ts",
      "lib/sub/y.js",
      "types/index.d.ts",
      "types/other.d.ts",
      "src/index.ts",
      "README.md",
      "LICENSE",
      "licence.txt",
      "COPYING",
      "readme-extra.md",
    ],
  },
  {
    name: "main, bin and browser are always packed",
    pkg: { files: ["dist"], main: "entry.js", bin: { tool: "bin/tool.js" }, browser: "web.js" },
    files: ["dist/a.js", "entry.js", "bin/tool.js", "bin/other.js", "web.js", "other.js"],
  },
  {
    name: "root .npmignore with negation",
    files: {
      ".npmignore": "*.log\ntest/\ndocs/*\n!docs/keep.md\n",
      "index.js": "",
      "a.log": "",
      "test/a.test.js": "",
      "docs/keep.md": "",
      "docs/drop.md": "",
      ".gitignore": "index.js\n",
    },
  },
  {
    name: ".gitignore is the fallback when there is no .npmignore",
    files: { ".gitignore": "dist\n*.map\n", "dist/a.js": "", "index.js": "", "index.js.map": "" },
  },
  {
    name: "nested .npmignore and .gitignore, also under a files list",
    pkg: { files: ["lib", "src"] },
    files: {
      "lib/.npmignore": "*.test.js\n",
      "lib/a.js": "",
      "lib/a.test.js": "",
      "src/.gitignore": "gen/\n",
      "src/gen/x.js": "",
      "src/y.js": "",
      ".npmignore": "lib\n",
    },
  },
  {
    name: "anchored and folder-only rules",
    files: {
      ".npmignore": "/build\ncache/\n/sub/only.js\n",
      "build/a.js": "",
      "x/build/b.js": "",
      "cache/c.js": "",
      "x/cache/d.js": "",
      "sub/only.js": "",
      "x/sub/only.js": "",
    },
  },
  {
    name: "a case-insensitive always-packed README and a required main under .npmignore",
    pkg: { main: "lib/index.js" },
    files: { ".npmignore": "lib/*\nreadme.md\n", "lib/index.js": "", "lib/other.js": "", "ReadMe.md": "" },
  },
  {
    name: "files entries with ./, trailing slashes, globstars and an empty-folder pattern",
    pkg: { files: ["./lib/", "src/**/*.js", "docs/*", "empty/"], bin: "cli.js" },
    files: [
      "lib/a.js",
      "lib/deep/b.md",
      "src/x.js",
      "src/y.ts",
      "src/nested/z.js",
      "docs/guide.md",
      "docs/deep/more.md",
      "cli.js",
      "License.MD",
      "README",
    ],
  },
  {
    name: "an empty files list packs only the always-packed files",
    pkg: { files: [] },
    files: ["index.js", "README.md", "lib/a.js"],
  },
  {
    name: "a nested .npmignore that re-includes what a root rule excluded",
    files: {
      ".npmignore": "*.md\n",
      "docs/.npmignore": "!keep.md\n",
      "docs/keep.md": "",
      "docs/drop.md": "",
      "notes.md": "",
      "index.js": "",
    },
  },
  {
    name: "a files pattern without a slash matches at any depth; a negated folder leaves",
    pkg: { files: ["*.js", "lib", "!lib/private"] },
    files: ["a.js", "deep/b.js", "deep/c.ts", "lib/x.ts", "lib/private/secret.ts", "lib/public/ok.ts"],
  },
  {
    name: "a sub-folder's .gitignore counts when that folder has no .npmignore",
    files: {
      ".npmignore": "*.log\n",
      "a/.gitignore": "*.tmp\n",
      "a/x.tmp": "",
      "a/y.js": "",
      "b/.npmignore": "z.js\n",
      "b/.gitignore": "w.js\n",
      "b/z.js": "",
      "b/w.js": "",
      "c.log": "",
    },
  },
];

function layoutFolder(layout: Layout): string {
  const dir = mkdtempSync(join(tmpdir(), "pack-conformance-"));
  temporary.push(dir);
  const pkg = { name: "conformance", version: "1.0.0", ...layout.pkg };
  writeFileSync(join(dir, "package.json"), JSON.stringify(pkg));
  const files = Array.isArray(layout.files)
    ? Object.fromEntries(layout.files.map((path) => [path, `// ${path}`]))
    : layout.files;
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

function npmPackList(dir: string): string[] {
  const run = Bun.spawnSync(["npm", "pack", "--dry-run", "--json", "--ignore-scripts"], {
    cwd: dir,
    env: { ...process.env, npm_config_loglevel: "silent", npm_config_workspaces: "false" },
  });
  if (run.exitCode !== 0) throw new Error(`npm pack failed: ${run.stderr.toString()}`);
  const [report] = JSON.parse(run.stdout.toString()) as [{ files: { path: string }[] }];
  return report.files.map((file) => file.path).sort();
}

const npmPresent = Bun.which("npm") !== null;

describe.skipIf(!npmPresent)("selectFiles packs what npm pack packs", () => {
  for (const layout of layouts) {
    it(layout.name, () => {
      const dir = layoutFolder(layout);
      const pkg = { name: "conformance", version: "1.0.0", ...layout.pkg };
      expect(selectFiles(dir, pkg)).toEqual(npmPackList(dir));
    });
  }
});
