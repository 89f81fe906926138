/**
 * The scripts pool workers start from. `worker-entry.ts` (thread tier) and `process-entry.ts`
 * (process tier), each with its few imports, are bundled once per process into one CommonJS
 * file with a JSC bytecode cache beside it, so each spawn loads a single precompiled module
 * instead of resolving, transpiling and parsing several. Measured on the ephemeral path (spawn,
 * load, one request, exit): 3.7 ms of CPU per worker as an ES module bundle, 3.0 ms with
 * bytecode. The thread script falls back to the TypeScript source if bundling fails.
 *
 * The files run inside the kernel (or its sandboxes), so they live in a folder of the kernel's
 * own: made by `mkdtemp` (a fresh random name), checked to be a real folder owned by the
 * kernel's user with the expected mode before each spawn, and each file is compared with the
 * identity it had when written (inode, size, write and change times); a file that does not
 * match is replaced, never run. A shared, predictable path (as before) would let another local
 * user plant code that then runs as the kernel. The thread script's folder is 0700; the process script's is 0755 with 0644 files,
 * since sandboxes may run under uids of their own and must read it (it holds no secret).
 */
import { chmodSync, lstatSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A script to bundle: its source and who may read the folder it is written to. */
interface ScriptKind {
  readonly source: URL;
  readonly prefix: string;
  readonly dirMode: number;
  readonly fileMode: number;
}

const THREAD: ScriptKind = {
  source: new URL("../worker/worker-entry.ts", import.meta.url),
  prefix: "buntime-pool-",
  dirMode: 0o700,
  fileMode: 0o600,
};
const PROCESS: ScriptKind = {
  source: new URL("../worker/process-entry.ts", import.meta.url),
  prefix: "buntime-sandbox-",
  dirMode: 0o755,
  fileMode: 0o644,
};
/** A tenant group's sandbox: its entry, and the thread script its apps' workers start from. */
const GROUP: ScriptKind = { ...PROCESS, source: new URL("../worker/group-entry.ts", import.meta.url) };
const GROUP_WORKER: ScriptKind = { ...PROCESS, source: THREAD.source };

/** What was built, kept in memory: the files on disk must match it. */
interface Built {
  readonly text: string;
  readonly bytecode: Uint8Array | undefined;
  /** What each file was when written (see `identity`), compared before every spawn. */
  textId: string;
  bytecodeId: string | undefined;
  dir: string;
  readonly name: string;
  readonly kind: ScriptKind;
}

const built = new Map<ScriptKind, Promise<Built | undefined>>();

/** A fresh folder only the kernel's user can write; removed when the process exits. */
function privateDir(kind: ScriptKind): string {
  const dir = mkdtempSync(join(tmpdir(), kind.prefix));
  chmodSync(dir, kind.dirMode);
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The folder is still a real folder, the kernel's user's, with the mode it was made with. */
function dirIsPrivate(dir: string, kind: ScriptKind): boolean {
  try {
    const stat = lstatSync(dir);
    const uid = process.getuid?.() ?? stat.uid;
    return stat.isDirectory() && stat.uid === uid && (stat.mode & 0o777) === kind.dirMode;
  } catch {
    return false;
  }
}

/**
 * A file's identity: inode, size, and the times of its last write and last change. Writing the
 * file, replacing it or putting a link in its place changes one of them, and the change time
 * cannot be set back by anyone but the system clock, so a file with the identity it had when the
 * kernel wrote it still holds what the kernel wrote. Reading and hashing it instead cost the main
 * thread a fifth of its time spawning ephemeral workers (docs/performance.md).
 */
function identity(file: string): string | undefined {
  try {
    const stat = lstatSync(file, { bigint: true });
    return stat.isFile() ? `${stat.ino}:${stat.size}:${stat.mtimeNs}:${stat.ctimeNs}` : undefined;
  } catch {
    return undefined;
  }
}

/** Writes `data` to `file` through a temporary name, so a concurrent reader never sees half of it. */
function writeAtomically(file: string, data: string | Uint8Array, mode: number): void {
  const partial = `${file}.${process.pid}.tmp`;
  rmSync(partial, { force: true });
  writeFileSync(partial, data, { mode, flag: "wx" });
  chmodSync(partial, mode); // the umask must not narrow it: sandboxes read the process script
  renameSync(partial, file);
}

/** (Re)writes both files; a folder that is no longer private is abandoned for a fresh one. */
function install(script: Built): void {
  if (!dirIsPrivate(script.dir, script.kind)) script.dir = privateDir(script.kind);
  const file = join(script.dir, script.name);
  const mode = script.kind.fileMode;
  // the cache first: a reader that finds the script then finds its cache as well
  if (script.bytecode !== undefined) writeAtomically(`${file}.jsc`, script.bytecode, mode);
  writeAtomically(file, script.text, mode);
  script.bytecodeId = script.bytecode === undefined ? undefined : identity(`${file}.jsc`);
  script.textId = identity(file) ?? "";
}

/** The files are where they should be and hold what was built. */
function intact(script: Built): boolean {
  const file = join(script.dir, script.name);
  return (
    dirIsPrivate(script.dir, script.kind) &&
    identity(file) === script.textId &&
    (script.bytecode === undefined || identity(`${file}.jsc`) === script.bytecodeId)
  );
}

async function bundle(kind: ScriptKind): Promise<Built | undefined> {
  try {
    // Bun only precompiles CommonJS outside `bun build --compile`
    const result = await Bun.build({
      entrypoints: [kind.source.pathname],
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
      textId: "",
      bytecodeId: undefined,
      dir: privateDir(kind),
      kind,
      // bytecode is only valid for the Bun that made it, so the name carries the version too
      name: `worker-${Bun.hash(`${Bun.version}${Bun.revision}${text}`).toString(36)}.js`,
    };
    install(script);
    return script;
  } catch {
    return undefined;
  }
}

/** The bundle of `kind`, checked and rewritten from memory if a file or the folder was changed. */
async function checkedScript(kind: ScriptKind): Promise<string | undefined> {
  let pending = built.get(kind);
  if (pending === undefined) {
    pending = bundle(kind);
    built.set(kind, pending);
  }
  const script = await pending;
  if (script === undefined) return undefined;
  try {
    if (!intact(script)) install(script);
    return join(script.dir, script.name);
  } catch {
    return undefined;
  }
}

/**
 * The path or URL thread-tier workers start from: bundled on first use, then checked before
 * every spawn and rewritten from memory if a file was changed or the folder is no longer private.
 */
export async function workerScript(): Promise<string> {
  return (await checkedScript(THREAD)) ?? THREAD.source.href;
}

/**
 * The script a sandboxed process runs, as a host path: its folder is bound read-only into the
 * sandbox. Unlike the thread script there is no fallback to the sources (the sandbox sees no
 * kernel files), so a failed bundle throws.
 */
export async function processScript(): Promise<string> {
  return sandboxScript(PROCESS);
}

/** The scripts of a tenant group's sandbox, as host paths (each folder is bound read-only). */
export async function groupScripts(): Promise<{ readonly entry: string; readonly worker: string }> {
  const [entry, worker] = await Promise.all([sandboxScript(GROUP), sandboxScript(GROUP_WORKER)]);
  return { entry, worker };
}

async function sandboxScript(kind: ScriptKind): Promise<string> {
  const script = await checkedScript(kind);
  if (script === undefined) throw new Error(`${kind.source.pathname} could not be bundled for a sandbox`);
  return script;
}
