/**
 * The script pool workers start from. `worker-entry.ts` and its few imports are bundled once
 * per process into one CommonJS file with a JSC bytecode cache beside it, so each spawn loads
 * a single precompiled module instead of resolving, transpiling and parsing four. Measured on
 * the ephemeral path (spawn, load, one request, exit): 3.7 ms of CPU per worker as an ES
 * module bundle, 3.0 ms with bytecode. Falls back to the TypeScript source if bundling fails.
 *
 * The files run inside the kernel, so they live in a folder of the kernel's own: made by
 * `mkdtemp` (a fresh random name, mode 0700), checked to be a real folder owned by the
 * kernel's user before each spawn, and each file is compared with the hash of what was just
 * built; a file that does not match is replaced, never run. A shared, predictable path (as
 * before) would let another local user plant code that then runs as the kernel.
 */
import { lstatSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const SOURCE = new URL("../worker/worker-entry.ts", import.meta.url);

/** What was built, kept in memory: the files on disk must match it. */
interface Built {
  readonly text: string;
  readonly bytecode: Uint8Array | undefined;
  /** Hashes of `text` and `bytecode`, compared with the files before every spawn. */
  readonly textHash: bigint | number;
  readonly bytecodeHash: bigint | number | undefined;
  dir: string;
  readonly name: string;
}

let built: Promise<Built | undefined> | undefined;

/** A folder only the kernel's user can enter; removed when the process exits. */
function privateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "buntime-pool-"));
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The folder is still a real folder, the kernel's user's, closed to everyone else. */
function dirIsPrivate(dir: string): boolean {
  try {
    const stat = lstatSync(dir);
    const uid = process.getuid?.() ?? stat.uid;
    return stat.isDirectory() && stat.uid === uid && (stat.mode & 0o777) === 0o700;
  } catch {
    return false;
  }
}

/** The file holds exactly the bytes whose hash is `hash`. */
function fileMatches(file: string, hash: bigint | number): boolean {
  try {
    return lstatSync(file).isFile() && Bun.hash(readFileSync(file)) === hash;
  } catch {
    return false;
  }
}

/** Writes `data` to `file` through a temporary name, so a concurrent reader never sees half of it. */
function writeAtomically(file: string, data: string | Uint8Array): void {
  const partial = `${file}.${process.pid}.tmp`;
  rmSync(partial, { force: true });
  writeFileSync(partial, data, { mode: 0o600, flag: "wx" });
  renameSync(partial, file);
}

/** (Re)writes both files; a folder that is no longer private is abandoned for a fresh one. */
function install(script: Built): void {
  if (!dirIsPrivate(script.dir)) script.dir = privateDir();
  const file = join(script.dir, script.name);
  // the cache first: a reader that finds the script then finds its cache as well
  if (script.bytecode !== undefined) writeAtomically(`${file}.jsc`, script.bytecode);
  writeAtomically(file, script.text);
}

/** The files are where they should be and hold what was built. */
function intact(script: Built): boolean {
  const file = join(script.dir, script.name);
  return (
    dirIsPrivate(script.dir) &&
    fileMatches(file, script.textHash) &&
    (script.bytecodeHash === undefined || fileMatches(`${file}.jsc`, script.bytecodeHash))
  );
}

async function bundle(): Promise<Built | undefined> {
  try {
    // Bun only precompiles CommonJS outside `bun build --compile`
    const result = await Bun.build({
      entrypoints: [SOURCE.pathname],
      target: "bun",
      format: "cjs",
      bytecode: true,
    });
    const code = result.outputs.find((output) => output.kind === "entry-point");
    const cache = result.outputs.find((output) => output.kind === "bytecode");
    if (!result.success || code === undefined) return undefined;
    const text = await code.text();
    const bytecode = cache === undefined ? undefined : new Uint8Array(await cache.arrayBuffer());
    const script: Built = {
      text,
      bytecode,
      textHash: Bun.hash(Buffer.from(text)),
      bytecodeHash: bytecode === undefined ? undefined : Bun.hash(bytecode),
      dir: privateDir(),
      // bytecode is only valid for the Bun that made it, so the name carries the version too
      name: `worker-${Bun.hash(`${Bun.version}${Bun.revision}${text}`).toString(36)}.js`,
    };
    install(script);
    return script;
  } catch {
    return undefined;
  }
}

/**
 * The path or URL workers start from: bundled on first use, then checked before every spawn
 * and rewritten from memory if a file was changed or the folder is no longer private.
 */
export async function workerScript(): Promise<string> {
  built ??= bundle();
  const script = await built;
  if (script === undefined) return SOURCE.href;
  try {
    if (!intact(script)) install(script);
    return join(script.dir, script.name);
  } catch {
    return SOURCE.href;
  }
}
