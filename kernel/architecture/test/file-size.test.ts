import { afterEach, describe, expect, it } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { findOversizedFiles, MAX_FILE_LINES } from "@buntime/architecture";

const REPO = resolve(import.meta.dir, "../../..");
const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function gitFolder(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "buntime-sizes-"));
  made.push(root);
  Bun.spawnSync(["git", "init", "-q"], { cwd: root });
  for (const [path, content] of Object.entries(files)) writeFileSync(join(root, path), content);
  return root;
}

describe("the file-size check", () => {
  it(`finds no source file over ${MAX_FILE_LINES} lines in this repo`, () => {
    expect(findOversizedFiles(REPO)).toEqual([]);
  });

  it("names a file one line over the limit, and passes one at the limit", () => {
    const root = gitFolder({
      "big.ts": "x;\n".repeat(MAX_FILE_LINES + 1),
      "full.ts": "x;\n".repeat(MAX_FILE_LINES),
      "notes.md": "x\n".repeat(MAX_FILE_LINES * 2),
    });
    expect(findOversizedFiles(root)).toEqual([{ file: "big.ts", lines: MAX_FILE_LINES + 1 }]);
  });
});
