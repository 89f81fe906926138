/**
 * The script pool workers start from. `worker-entry.ts` and its few imports are bundled once
 * per process into one file, so each spawn loads a single module instead of resolving and
 * transpiling four: about a millisecond of CPU saved per worker, which is most of what an
 * ephemeral request costs. Falls back to the TypeScript source if bundling fails.
 */
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const SOURCE = new URL("./worker-entry.ts", import.meta.url);

let script: Promise<string> | undefined;

async function bundle(): Promise<string> {
  try {
    const result = await Bun.build({ entrypoints: [SOURCE.pathname], target: "bun", format: "esm" });
    const output = result.outputs[0];
    if (!result.success || output === undefined) return SOURCE.href;
    const code = await output.text();
    const dir = join(tmpdir(), "buntime-pool");
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `worker-${Bun.hash(code).toString(36)}.js`);
    // write then rename, so another kernel starting at the same moment never reads half a file
    const partial = `${file}.${process.pid}.tmp`;
    writeFileSync(partial, code);
    renameSync(partial, file);
    return file;
  } catch {
    return SOURCE.href;
  }
}

/** The path or URL workers start from; bundled on first use, then cached. */
export function workerScript(): Promise<string> {
  script ??= bundle();
  return script;
}
