/** The file-size check: a source file over the limit holds two ideas (STYLE.md, "Shape"). */
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** The most lines a source file may have. */
export const MAX_FILE_LINES = 400;

/** A file over the limit. */
export interface OversizedFile {
  /** Relative to the repo root. */
  readonly file: string;
  readonly lines: number;
}

/** The files git tracks (or would: untracked and not ignored) under `root`. */
function trackedFiles(root: string): string[] {
  const listed = Bun.spawnSync(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"], {
    cwd: root,
  });
  if (listed.exitCode !== 0) throw new Error(`git ls-files failed in ${root}: ${listed.stderr.toString()}`);
  return listed.stdout.toString().split("\0").filter(Boolean);
}

/** TypeScript and JavaScript files under `root` with more than `MAX_FILE_LINES` lines. */
export function findOversizedFiles(root: string, limit = MAX_FILE_LINES): OversizedFile[] {
  return trackedFiles(root)
    .filter((file) => /\.(ts|tsx|js|mjs)$/.test(file) && !file.includes("node_modules/"))
    .flatMap((file) => {
      let text: string;
      try {
        text = readFileSync(join(root, file), "utf8");
      } catch {
        return []; // deleted in the work tree but not yet in git's index
      }
      const lines = text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
      return lines > limit ? [{ file, lines }] : [];
    });
}
