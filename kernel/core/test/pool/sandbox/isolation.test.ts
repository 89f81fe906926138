/**
 * What a sandboxed child can see and reach: only its mounts, its own /proc, only its env, no
 * network, /app read-only and /data writable, its own user; and IPC that keeps bytes intact.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createSandbox, type Sandbox } from "../../../src/pool/sandbox/index.ts";
import { makeHostFolders, NO_BWRAP, startChild, type TestChild } from "./support.ts";

describe.skipIf(NO_BWRAP)("a sandboxed child", () => {
  let sandbox: Sandbox;
  let folders: ReturnType<typeof makeHostFolders>;
  let child: TestChild;
  const env = { APP_SETTING: "on", WITH_SPACES: "two words = one value" };

  beforeAll(async () => {
    folders = makeHostFolders();
    sandbox = await createSandbox();
    child = await startChild(sandbox, folders, { env });
  });
  afterAll(async () => {
    await sandbox?.close();
    folders?.dispose();
  });

  it("cannot read a host file outside its mounts, even a world-readable one", async () => {
    const secretDir = join(folders.root, "kernel-secrets");
    mkdirSync(secretDir, { mode: 0o755 });
    writeFileSync(join(secretDir, "token"), "admin-token", { mode: 0o644 });
    await expect(child.ask("read", { path: join(secretDir, "token") })).rejects.toThrow("ENOENT");
    await expect(child.ask("read", { path: "/etc/passwd" })).rejects.toThrow("ENOENT");
    await expect(child.ask("read", { path: "/root/.bashrc" })).rejects.toThrow("ENOENT");
  });

  it("sees its own /proc: not the kernel's pid, and it cannot signal the kernel", async () => {
    const pids = (await child.ask("pids")) as number[];
    expect(pids.length).toBeLessThan(10);
    expect(await child.ask("read", { path: "/proc/1/cmdline" })).not.toContain("bun test");
    await expect(child.ask("signal", { limit: process.pid })).rejects.toThrow("ESRCH");
    await expect(child.ask("read", { path: `/proc/${process.pid}/environ` })).rejects.toThrow("ENOENT");
  });

  it("gets exactly the env it was given, plus HOME and TMPDIR", async () => {
    expect(await child.ask("env")).toEqual({ ...env, HOME: "/data", TMPDIR: "/tmp" });
  });

  it("reads /app but cannot write it; writes /data, which the host sees", async () => {
    expect(await child.ask("read", { path: "/app/child.ts" })).toContain("sandbox tests' child");
    await expect(child.ask("write", { path: "/app/planted.ts" })).rejects.toThrow("EROFS");
    await expect(child.ask("write", { path: "/usr/bin/planted" })).rejects.toThrow("EROFS");
    await expect(child.ask("write", { path: "/bun" })).rejects.toThrow(/EROFS|EACCES|ETXTBSY/);
    expect(await child.ask("write", { path: "/data/note.txt" })).toBe(true);
    expect(readFileSync(join(child.dataDir, "note.txt"), "utf8")).toBe("written from the sandbox");
    expect(statSync(child.dataDir).mode & 0o777).toBe(0o700);
    expect(await child.ask("write", { path: "/tmp/scratch.txt" })).toBe(true);
    expect(await child.ask("write", { path: "/dev/shm/segment" })).toBe(true);
    // The root and /dev that bwrap builds are read-only: no memory to fill outside the sized mounts.
    await expect(child.ask("write", { path: "/planted" })).rejects.toThrow("EROFS");
    await expect(child.ask("write", { path: "/dev/planted" })).rejects.toThrow("EROFS");
  });

  it("has no network: a server of the test on 127.0.0.1 cannot be reached", async () => {
    const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("hi") });
    try {
      expect(await fetch(`http://127.0.0.1:${server.port}`).then((r) => r.text())).toBe("hi");
      await expect(child.ask("connect", { port: server.port })).rejects.toThrow(/ECONNREFUSED|ENETUNREACH/);
    } finally {
      server.stop(true);
    }
  });

  it("reaches the one Unix socket it is given at /run/buntime/egress.sock", async () => {
    const socketPath = join(folders.root, "egress.sock");
    let connections = 0;
    const server = Bun.listen({
      unix: socketPath,
      socket: { open: () => void connections++, data: () => {} },
    });
    chmodSync(socketPath, 0o666);
    const withEgress = await startChild(sandbox, folders, { egressSocket: socketPath });
    try {
      expect(await withEgress.ask("connect", { path: "/run/buntime/egress.sock" })).toBe("connected");
      await expect(child.ask("connect", { path: "/run/buntime/egress.sock" })).rejects.toThrow("ENOENT");
      await expect(withEgress.ask("connect", { path: socketPath })).rejects.toThrow("ENOENT");
      expect(connections).toBe(1);
    } finally {
      withEgress.process.kill();
      server.stop(true);
    }
  });

  it("round-trips binary data over IPC", async () => {
    const bytes = crypto.getRandomValues(new Uint8Array(64 * 1024));
    const echoed = (await child.ask("echo", { data: bytes })) as Uint8Array;
    expect(echoed).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(echoed).equals(Buffer.from(bytes))).toBe(true);
    const buffer = new Uint8Array([1, 2, 3]).buffer;
    expect(new Uint8Array((await child.ask("echo", { data: buffer })) as ArrayBuffer)).toEqual(
      new Uint8Array([1, 2, 3]),
    );
  });

  it("runs as a dedicated user of its own when the kernel is root, a different one per data folder", async () => {
    if (sandbox.user !== "dedicated") {
      expect(process.getuid?.()).not.toBe(0);
      return;
    }
    const other = await startChild(sandbox, folders);
    const [mine, theirs] = (await Promise.all([child.ask("uid"), other.ask("uid")])) as {
      uid: number;
      groups: number[];
    }[];
    other.process.kill();
    expect(mine?.uid).toBeGreaterThanOrEqual(200000);
    expect(mine?.uid).not.toBe(theirs?.uid);
    expect(mine?.groups).not.toContain(0);
    expect(statSync(child.dataDir).uid).toBe(mine?.uid as number);
    // A second instance on the same data folder shares its uid, so both can write there.
    const sibling = await startChild(sandbox, folders, { dataDir: child.dataDir });
    expect(((await sibling.ask("uid")) as { uid: number }).uid).toBe(mine?.uid as number);
    expect(await sibling.ask("write", { path: "/data/sibling.txt" })).toBe(true);
    expect(await child.ask("write", { path: "/data/note.txt" })).toBe(true);
    sibling.process.kill();
    await sibling.exit;
    expect(await child.ask("write", { path: "/data/after.txt" })).toBe(true);
  });
});
