import { afterAll, describe, expect, it } from "bun:test";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { groupScripts, processScript, workerScript } from "../../src/pool/main/worker-script.ts";
import { call, fixture, SANDBOX_MISSING, testPool } from "./helpers.ts";

const pool = testPool();
// the sandboxes' data folders, where a planted process script (which sees only /data) would leave its mark
const sandboxData = mkdtempSync(join(tmpdir(), "buntime-script-data-"));
chmodSync(sandboxData, 0o711);
const sandboxed = testPool({ isolation: { default: "process" }, processTier: { dataDir: sandboxData } });
const grouped = testPool({
  isolation: { groups: { tampered: ["grouped-hello"] } },
  processTier: { dataDir: sandboxData },
});
afterAll(async () => {
  await Promise.all([pool.shutdown(), sandboxed.shutdown(), grouped.shutdown()]);
  rmSync(sandboxData, { recursive: true, force: true });
});

/** A worker script that, if it ever ran, would leave `marker` behind and answer "planted". */
function plantedScript(marker: string): string {
  return `require("node:fs").writeFileSync(${JSON.stringify(marker)}, "ran");
self.onmessage = () => postMessage([{ t: "load-error", message: "planted" }]);`;
}

let spawns = 0;
/** Spawns a fresh worker for hello and returns its answer. */
async function spawnHello() {
  return call(pool, fixture("hello", { name: `hello-${++spawns}` }));
}

describe("the worker script", () => {
  it("is one precompiled CommonJS bundle with its bytecode cache beside it", async () => {
    const script = await workerScript();
    expect(script.endsWith(".js")).toBe(true);
    expect(readFileSync(script, "utf8").startsWith("// @bun @bytecode @bun-cjs")).toBe(true);
    expect(existsSync(`${script}.jsc`)).toBe(true);
  });

  it("is bundled once per process", async () => {
    expect(await workerScript()).toBe(await workerScript());
  });

  it("lives in a folder of the kernel's own: a fresh random name, mode 0700, owned by the kernel's user", async () => {
    const dir = dirname(await workerScript());
    expect(dir).not.toBe(join(tmpdir(), "buntime-pool"));
    expect(dir.startsWith(join(tmpdir(), "buntime-pool-"))).toBe(true);
    const stat = statSync(dir);
    expect(stat.mode & 0o777).toBe(0o700);
    expect(stat.uid).toBe(process.getuid?.() ?? stat.uid);
    expect(statSync(await workerScript()).mode & 0o777).toBe(0o600);
  });

  it("never runs a script planted at the old shared path", async () => {
    const script = await workerScript();
    const text = readFileSync(script, "utf8");
    const oldDir = join(tmpdir(), "buntime-pool");
    const oldFile = join(
      oldDir,
      `worker-${Bun.hash(`${Bun.version}${Bun.revision}${text}`).toString(36)}.js`,
    );
    const marker = join(tmpdir(), `buntime-planted-old-${process.pid}`);
    mkdirSync(oldDir, { recursive: true });
    writeFileSync(oldFile, plantedScript(marker));
    rmSync(`${oldFile}.jsc`, { force: true });
    try {
      expect(await spawnHello()).toMatchObject({ status: 200, text: "hello" });
      expect(existsSync(marker)).toBe(false);
    } finally {
      rmSync(oldFile, { force: true });
      rmSync(marker, { force: true });
    }
  });

  it("replaces a script changed in its own folder before the next spawn, and never runs the change", async () => {
    const script = await workerScript();
    const original = readFileSync(script);
    const marker = join(tmpdir(), `buntime-planted-new-${process.pid}`);
    writeFileSync(script, plantedScript(marker));
    writeFileSync(`${script}.jsc`, "not bytecode");
    try {
      expect(await spawnHello()).toMatchObject({ status: 200, text: "hello" });
      expect(existsSync(marker)).toBe(false);
      expect(readFileSync(script).equals(original)).toBe(true);
      expect(readFileSync(`${script}.jsc`, "utf8")).not.toBe("not bytecode");
    } finally {
      rmSync(marker, { force: true });
    }
  });

  it("moves to a fresh private folder when its folder was opened to others", async () => {
    const script = await workerScript();
    chmodSync(dirname(script), 0o777);
    try {
      expect(await spawnHello()).toMatchObject({ status: 200, text: "hello" });
      const moved = await workerScript();
      expect(dirname(moved)).not.toBe(dirname(script));
      expect(statSync(dirname(moved)).mode & 0o777).toBe(0o700);
    } finally {
      rmSync(dirname(script), { recursive: true, force: true });
    }
  });
});

/** A process script that, if a sandbox ever ran it, would leave /data/planted and answer nothing. */
const PLANTED_PROCESS_SCRIPT = `require("node:fs").writeFileSync("/data/planted", "ran"); process.exit(0);`;

let sandboxes = 0;
/** Starts a fresh sandbox for hello; returns its answer and where a planted script would have left its mark. */
async function sandboxedHello() {
  const name = `sandboxed-hello-${++sandboxes}`;
  const answer = await call(sandboxed, fixture("hello", { name }));
  return { ...answer, mark: join(sandboxData, name, "planted") };
}

describe.skipIf(SANDBOX_MISSING)("the process tier's script", () => {
  it("lives in a fresh folder of the kernel's (0755, files 0644: the sandbox's user reads it) and nowhere predictable", async () => {
    const script = await processScript();
    const dir = dirname(script);
    expect(dir).not.toBe(join(tmpdir(), "buntime-sandbox"));
    expect(dir.startsWith(join(tmpdir(), "buntime-sandbox-"))).toBe(true);
    expect(dirname(script)).not.toBe(dirname(await workerScript()));
    const stat = statSync(dir);
    expect(stat.mode & 0o777).toBe(0o755);
    expect(stat.uid).toBe(process.getuid?.() ?? stat.uid);
    expect(statSync(script).mode & 0o777).toBe(0o644);
    expect(await sandboxedHello()).toMatchObject({ status: 200, text: "hello" });
  });

  it("replaces a tampered script and bytecode cache before the next sandbox starts, and never runs them", async () => {
    const script = await processScript();
    const original = readFileSync(script);
    writeFileSync(script, PLANTED_PROCESS_SCRIPT);
    if (existsSync(`${script}.jsc`)) writeFileSync(`${script}.jsc`, "not bytecode");
    const { mark, ...answer } = await sandboxedHello();
    expect(answer).toMatchObject({ status: 200, text: "hello" });
    expect(existsSync(mark)).toBe(false);
    expect(readFileSync(script).equals(original)).toBe(true);
    if (existsSync(`${script}.jsc`)) expect(readFileSync(`${script}.jsc`, "utf8")).not.toBe("not bytecode");
    expect(statSync(script).mode & 0o777).toBe(0o644);
  });

  it("replaces a link planted in the script's place instead of following it", async () => {
    const script = await processScript();
    const original = readFileSync(script);
    const elsewhere = join(sandboxData, "planted-target.js");
    writeFileSync(elsewhere, PLANTED_PROCESS_SCRIPT, { mode: 0o644 });
    rmSync(script);
    symlinkSync(elsewhere, script);
    const { mark, ...answer } = await sandboxedHello();
    expect(answer).toMatchObject({ status: 200, text: "hello" });
    expect(existsSync(mark)).toBe(false);
    expect(readFileSync(script).equals(original)).toBe(true);
    expect(readFileSync(elsewhere, "utf8")).toBe(PLANTED_PROCESS_SCRIPT);
  });

  it("moves to a fresh folder when its folder was opened to writes by others", async () => {
    const script = await processScript();
    chmodSync(dirname(script), 0o777);
    try {
      expect(await sandboxedHello()).toMatchObject({ status: 200, text: "hello" });
      const moved = await processScript();
      expect(dirname(moved)).not.toBe(dirname(script));
      expect(statSync(dirname(moved)).mode & 0o777).toBe(0o755);
    } finally {
      rmSync(dirname(script), { recursive: true, force: true });
    }
  });

  it("replaces a tenant group's tampered entry and worker scripts before its sandbox runs them", async () => {
    const scripts = await groupScripts();
    const originals = [scripts.entry, scripts.worker].map((file) => readFileSync(file));
    writeFileSync(scripts.entry, PLANTED_PROCESS_SCRIPT);
    writeFileSync(
      scripts.worker,
      `require("node:fs").writeFileSync("/data/planted-worker", "ran"); self.onmessage = () => {};`,
    );
    const answer = await call(grouped, fixture("hello", { name: "grouped-hello" }));
    expect(answer).toMatchObject({ status: 200, text: "hello" });
    expect(grouped.stats().apps["grouped-hello@0.0.0"]?.isolation).toBe("process");
    const groupData = join(sandboxData, "tenant-tampered");
    expect(existsSync(groupData)).toBe(true);
    expect(existsSync(join(groupData, "planted"))).toBe(false);
    expect(existsSync(join(groupData, "planted-worker"))).toBe(false);
    expect(readFileSync(scripts.entry).equals(originals[0] as Buffer)).toBe(true);
    expect(readFileSync(scripts.worker).equals(originals[1] as Buffer)).toBe(true);
  });
});
