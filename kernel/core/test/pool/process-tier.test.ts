/**
 * The process tier's fault matrix: each row is something an app that means harm (or breaks
 * badly) does, run while a healthy app in a sandbox of its own answers every request. Every
 * secret read fails, every signal misses the kernel, and every crash costs one sandbox.
 */
import { afterAll, describe, expect, it } from "bun:test";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AppSpec } from "@buntime/sdk";
import { besideHealthy, call, eventually, fixture, SANDBOX_MISSING, testPool } from "./helpers.ts";

const pool = testPool({ isolation: { default: "process" } });
const secrets = mkdtempSync(join(tmpdir(), "buntime-secrets-"));
// readable by anyone on purpose: only the sandbox's view of the file system may keep them out
const adminToken = join(secrets, "admin-token");
const storageDb = join(secrets, "storage.sqlite");
const registryKey = join(secrets, "registry-key.pem");
for (const [file, text] of [
  [adminToken, "admin-secret"],
  [storageDb, "users and password hashes"],
  [registryKey, "-----BEGIN PRIVATE KEY-----"],
]) {
  writeFileSync(file as string, text as string, { mode: 0o644 });
}
const victimDir = join(secrets, "victim");
cpSync(join(import.meta.dir, "fixtures", "hello"), victimDir, { recursive: true });
process.env.BUNTIME_TEST_KERNEL_SECRET = "kernel-only";

afterAll(async () => {
  await pool.shutdown();
  rmSync(secrets, { recursive: true, force: true });
  delete process.env.BUNTIME_TEST_KERNEL_SECRET;
});

const healthy = fixture("hello", { name: "healthy" });
const intruder = fixture("intruder", { env: { GREETING: "hi" } });

/** Runs `fault` while the healthy app, in a sandbox of its own, answers in a loop (see `besideHealthy`). */
async function beside<T>(fault: () => Promise<T>) {
  expect((await call(pool, healthy)).status).toBe(200);
  return besideHealthy(pool, healthy, fault, 10);
}

const q = (value: string) => encodeURIComponent(value);

describe.skipIf(SANDBOX_MISSING)("the process tier keeps an app that means harm away from the kernel", () => {
  it("runs the app in a sandbox: the tier shows in the stats", async () => {
    expect(await call(pool, healthy)).toMatchObject({ status: 200, text: "hello" });
    expect(pool.stats().apps["healthy@0.0.0"]?.isolation).toBe("process");
  });

  it.each([
    ["the admin token", adminToken],
    ["the storage database", storageDb],
    ["the registry's signing key", registryKey],
    ["the kernel's environment", `/proc/${process.pid}/environ`],
    ["the kernel's command line", `/proc/${process.pid}/cmdline`],
    ["another app's code", join(victimDir, "index.ts")],
  ])("cannot read %s", async (_what, path) => {
    const { result, missed } = await beside(() => call(pool, intruder, `/read?path=${q(path)}`));
    expect(result.status).toBe(403);
    expect(result.text).toContain("ENOENT");
    expect(missed).toBe(0);
  });

  it("sees only its own environment in /proc/self/environ", async () => {
    const { status, text } = await call(pool, intruder, "/environ");
    expect(status).toBe(200);
    expect(text).toContain("GREETING=hi");
    expect(text).not.toContain("BUNTIME_TEST_KERNEL_SECRET");
    expect(text).not.toContain("kernel-only");
  });

  it("cannot write into another app's folder, nor into its own", async () => {
    const other = await call(pool, intruder, `/write?path=${q(join(victimDir, "index.ts"))}`);
    expect(other.status).toBe(403);
    expect(readFileSync(join(victimDir, "index.ts"), "utf8")).not.toContain("planted");
    const own = await call(pool, intruder, `/write?path=${q("/app/index.ts")}`);
    expect(own.status).toBe(403);
    expect(own.text).toMatch(/EROFS|EACCES/);
    expect(await call(pool, intruder, `/write?path=${q("/data/notes.txt")}`)).toMatchObject({ status: 200 });
  });

  it("sees none of the host's folders", async () => {
    const { text } = await call(pool, intruder, `/list?path=${q("/")}`);
    const entries = text.split("\n");
    expect(entries).toContain("app");
    expect(entries).toContain("data");
    for (const hidden of ["home", "root", "etc", "var", secrets.split("/")[1] ?? "tmp-host"]) {
      if (hidden !== "tmp") expect(entries).not.toContain(hidden);
    }
  });

  it("runs as a user of its own when the kernel may switch users", async () => {
    const who = JSON.parse((await call(pool, intruder, "/whoami")).text) as { uid: number; pid: number };
    expect(who.pid).not.toBe(process.pid);
    if (process.getuid?.() === 0) expect(who.uid).not.toBe(0);
  });

  it("cannot signal the kernel, even from a process it spawns", async () => {
    for (const path of [`/spawn-kill?pid=${process.pid}`]) {
      const { result, missed } = await beside(() => call(pool, intruder, path));
      expect(result.status).toBe(403);
      expect(missed).toBe(0);
    }
    const fault = fixture("process-fault", { name: "signaller" });
    for (const signal of ["SIGTERM", "SIGKILL"]) {
      const { missed } = await beside(() => call(pool, fault, `/kill?pid=${process.pid}&signal=${signal}`));
      expect(missed).toBe(0);
    }
  });

  it.each([
    ["process.abort()", "/abort"],
    ["process.exit(9)", "/exit"],
  ])("loses only its own sandbox on %s, which respawns on the next request", async (_what, path) => {
    const app = fixture("process-fault", { name: `dies-${path.slice(1)}` });
    expect((await call(pool, app)).status).toBe(200);
    const { result, missed } = await beside(() => call(pool, app, path));
    expect(result.status).toBe(502);
    expect(missed).toBe(0);
    expect((await call(pool, app)).status).toBe(200);
    expect(pool.stats().apps[`dies-${path.slice(1)}@0.0.0`]?.recycled.crash).toBe(1);
  });

  it("may chdir and umask freely: they change only its own process", async () => {
    const app = fixture("process-fault", { name: "mover" });
    const cwd = process.cwd();
    const umask = process.umask();
    expect((await call(pool, app, "/chdir")).status).toBe(200);
    expect((await call(pool, app, "/umask")).status).toBe(200);
    expect(process.cwd()).toBe(cwd);
    expect(process.umask()).toBe(umask);
  });

  it("ends a handler that never returns with 504 and a fresh sandbox", async () => {
    const app = fixture("loop", { name: "spinner", timeout: 500 });
    const { result, missed } = await beside(() => call(pool, app, "/spin"));
    expect(result.status).toBe(504);
    expect(missed).toBe(0);
    expect(await eventually(() => (pool.stats().apps["spinner@0.0.0"]?.workers ?? 1) === 0)).toBe(true);
    expect((await call(pool, app)).status).toBe(200);
  });

  it("ends an app that loops at import as soon as its load timeout passes", async () => {
    const app: AppSpec = { ...intruder, name: "stuck", env: { SPIN_AT_IMPORT: "1" }, timeout: 500 };
    const { result, missed } = await beside(() => call(pool, app));
    expect(result.status).toBe(502);
    expect(result.text).toContain("did not load within 500 ms");
    expect(missed).toBe(0);
    // unlike a thread, a loading process can be ended at once
    expect(await eventually(() => (pool.stats().apps["stuck@0.0.0"]?.workers ?? 1) === 0)).toBe(true);
  });

  it.each([
    ["a synchronous memory bomb", "sync-bomb", "/bomb"],
    ["an asynchronous memory bomb", "memory", "/grow-and-wait"],
  ])("ends %s at maxMemory while the kernel's own memory stays put", async (_what, name, path) => {
    const app = fixture(name, { name: `${name}-sandboxed`, maxMemory: 128 * 1024 * 1024, timeout: 20_000 });
    const before = process.memoryUsage().rss;
    const { result, missed } = await beside(() => call(pool, app, path));
    expect(result.status).toBe(502);
    expect(missed).toBe(0);
    expect(pool.stats().apps[`${name}-sandboxed@0.0.0`]?.recycled.memory).toBe(1);
    // the bomb grew another process: the kernel's resident memory barely moved
    expect(process.memoryUsage().rss - before).toBeLessThan(64 * 1024 * 1024);
    expect((await call(pool, app)).status).toBe(200);
  });
});

describe.skipIf(SANDBOX_MISSING)("the process tier's network permission", () => {
  const upstream = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: () => new Response("upstream says hi"),
  });
  const other = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: () => new Response("should not be reached"),
  });
  afterAll(() => {
    upstream.stop(true);
    other.stop(true);
  });
  const allowed = `127.0.0.1:${upstream.port}`;
  const app = fixture("intruder", { name: "networked", permissions: { network: [allowed] } });

  it("reaches a declared host through the kernel's egress proxy", async () => {
    const { status, text } = await call(pool, app, `/fetch?url=${q(`http://${allowed}/`)}`);
    expect({ status, text }).toEqual({ status: 200, text: "200 upstream says hi" });
  });

  it("is refused an undeclared host with an error that names the permission to declare", async () => {
    const { status, text } = await call(pool, app, `/fetch?url=${q(`http://127.0.0.1:${other.port}/`)}`);
    expect(status).toBe(403);
    expect(text).toContain("EgressRefusedError");
    expect(text).toContain("permissions.network");
  });

  it("has no network at all without the proxy: a raw connection to the kernel's loopback fails", async () => {
    const { status, text } = await call(pool, intruder, `/connect?port=${upstream.port}`);
    expect(status).toBe(403);
    expect(text).toMatch(/ECONNREFUSED|connect/i);
  });
});
