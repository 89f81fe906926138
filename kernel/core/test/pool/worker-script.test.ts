import { afterAll, describe, expect, it } from "bun:test";
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { workerScript } from "../../src/pool/main/worker-script.ts";
import { call, fixture, testPool } from "./helpers.ts";

const pool = testPool();
afterAll(() => pool.shutdown());

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
