import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { generateKeyPairSync } from "node:crypto";
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  cleanUp,
  cli,
  cliAs,
  liveRegistry,
  runningKernel,
  seed,
  snapshot,
  spawnCli,
  workspace,
  writePlugin,
  writeText,
} from "./support.ts";

afterAll(cleanUp);

const dir = workspace();
const home = join(dir, "home");
let registry = "";

beforeAll(async () => {
  const running = await liveRegistry(dir);
  registry = running.url;
  await seed(running, writePlugin(dir, { name: "auth", version: "1.0.0" }));
  await seed(running, writePlugin(dir, { name: "auth", version: "1.1.0" }));
  await seed(
    running,
    writePlugin(dir, {
      name: "crash",
      version: "1.0.0",
      entry: `export default { setup() { throw new Error("boom"); } };\n`,
    }),
  );
  await seed(running, writePlugin(dir, { name: "good", version: "1.0.0" }));
  await seed(
    running,
    writePlugin(dir, {
      name: "bad",
      version: "1.0.0",
      deps: { good: "^1.0.0" },
      entry: `export default { setup() { throw new Error("bad to the bone"); } };\n`,
    }),
  );
  const first = await cli(["plugin", "install", "auth@1.0.0", "--registry", registry, "--home", home], dir);
  expect(first.code).toBe(0);
}, 30_000);

describe("the home is guarded: one command at a time, owner only, pinned keys", () => {
  it("says permission denied on a home it may not write, and changes nothing", async () => {
    const before = snapshot(home);
    const args = ["plugin", "install", "auth@1.1.0", "--registry", registry, "--home", home];
    let run: Awaited<ReturnType<typeof cli>>;
    if (process.getuid?.() === 0) {
      chmodSync(dir, 0o755); // let the other user reach the registry-free parts of the workspace
      run = await cliAs(65534, args, dir);
    } else {
      chmodSync(home, 0o555);
      run = await cli(args, dir);
      chmodSync(home, 0o755);
    }
    expect(run.stderr).toContain(`cannot write ${join(home, ".cli-lock")}`);
    expect(run.stderr).toContain("permission denied [BUNTIME_ERR_INSTALL_PERMISSION_DENIED]");
    expect(run.stderr).toContain("hint: run as the home's owner");
    expect(run.code).toBe(1);
    expect(snapshot(home)).toEqual(before);
  }, 30_000);

  it("refuses to change a home another buntime command is changing", async () => {
    writeFileSync(join(home, ".cli-lock"), `${process.pid}\n`);
    const before = snapshot(home);
    const run = await cli(["plugin", "install", "auth@1.1.0", "--registry", registry, "--home", home], dir);
    const after = snapshot(home);
    rmSync(join(home, ".cli-lock"));
    expect(run.stderr).toContain(`another buntime command (pid ${process.pid}) is changing ${home}`);
    expect(run.code).toBe(1);
    expect(after).toEqual(before);
  }, 20_000);

  it("takes over a lock left by a command that died, and leaves no lock behind", async () => {
    const fresh = join(dir, "home-stale-lock");
    writeText(join(fresh, ".cli-lock"), "2147483646\n");
    const run = await cli(["plugin", "install", "auth", "--registry", registry, "--home", fresh], dir);
    expect(run.code).toBe(0);
    expect(existsSync(join(fresh, ".cli-lock"))).toBe(false);
    expect(existsSync(join(fresh, "plugins", "auth", "1.1.0", "package.json"))).toBe(true);
  }, 20_000);

  it("leaves no trace of a home it had to create when the install fails", async () => {
    const fresh = join(dir, "never-created");
    const run = await cli(["plugin", "install", "auht", "--registry", registry, "--home", fresh], dir);
    expect(run.code).toBe(1);
    expect(existsSync(fresh)).toBe(false);
  }, 20_000);

  it("refuses a registry that signs with another key than the one pinned at first use", async () => {
    const settings = join(dir, "cli-settings", "cli.json");
    const saved = readFileSync(settings, "utf8");
    const pinned = JSON.parse(saved).registryKeys[registry];
    expect(pinned).toHaveLength(1);
    const other = generateKeyPairSync("ec", { namedCurve: "prime256v1" }).publicKey;
    const forged = {
      keyid: "SHA256:forged",
      key: other.export({ type: "spki", format: "der" }).toString("base64"),
    };
    writeFileSync(settings, JSON.stringify({ ...JSON.parse(saved), registryKeys: { [registry]: [forged] } }));
    const before = snapshot(home);
    const run = await cli(["plugin", "install", "auth@1.1.0", "--registry", registry, "--home", home], dir);
    writeFileSync(settings, saved);
    expect(run.stderr).toContain(
      `registry ${registry} now signs with key ${pinned[0].keyid}, not the pinned SHA256:forged [BUNTIME_ERR_SIGNATURE_KEY_CHANGED]`,
    );
    expect(run.code).toBe(1);
    expect(snapshot(home)).toEqual(before);
  }, 20_000);
});

describe("a running kernel that refuses", () => {
  it("loads none of a batch when one plugin in it is refused, its dependencies included", async () => {
    const kernel = await runningKernel(home, dir);
    const before = snapshot(home);
    const run = await cli(["plugin", "install", "bad", "--registry", registry, "--home", home], dir);
    expect(run.stderr).toContain(
      "refused bad@1.0.0, good@1.0.0: bad@1.0.0 failed to start: bad setup failed: bad to the bone",
    );
    expect(run.code).toBe(1);
    const loaded = await (await fetch(new URL("/_/api/plugins", kernel.url))).json();
    expect(loaded.plugins.map((p: { name: string }) => p.name)).toEqual(["auth"]);
    expect((await fetch(new URL("/good", kernel.url))).status).toBe(404);
    expect(snapshot(home)).toEqual(before);
    await kernel.stop();
  }, 30_000);

  it("puts the home back when the running kernel refuses the plugin", async () => {
    const kernel = await runningKernel(home, dir);
    const before = snapshot(home);
    const run = await cli(["plugin", "install", "crash", "--registry", registry, "--home", home], dir);
    expect(run.stderr).toContain(
      `the running kernel at ${kernel.url.href} refused crash@1.0.0: crash@1.0.0 failed to start: crash setup failed: boom`,
    );
    expect(run.code).toBe(1);
    expect(snapshot(home)).toEqual(before);
    const loaded = await (await fetch(new URL("/_/api/plugins", kernel.url))).json();
    expect(loaded.plugins.map((p: { name: string }) => p.name)).toEqual(["auth"]);
    await kernel.stop();
  }, 30_000);
});

describe("a kernel that will not talk", () => {
  it("stops the install and leaves the home as it was", async () => {
    const guarded = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch: () => new Response("no", { status: 401 }),
    });
    try {
      const record = join(home, "kernel.json");
      writeFileSync(record, JSON.stringify({ url: `http://127.0.0.1:${guarded.port}/`, pid: process.pid }));
      const before = snapshot(home);
      const run = await cli(["plugin", "install", "auth@1.1.0", "--registry", registry, "--home", home], dir);
      const after = snapshot(home);
      rmSync(record);
      expect(run.stderr).toContain(
        `the running kernel at http://127.0.0.1:${guarded.port}/ refused the health check`,
      );
      expect(run.stderr).toContain("it answered 401");
      expect(run.code).toBe(1);
      expect(after).toEqual(before);
    } finally {
      guarded.stop(true);
    }
  }, 20_000);

  it("puts the home back when interrupted twice while the kernel never answers the load", async () => {
    const requested = Promise.withResolvers<void>();
    const stuck = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch(request) {
        const path = new URL(request.url).pathname;
        if (path === "/_/api/health") return Response.json({ status: "ok" });
        if (request.method === "GET") return Response.json({ plugins: [] });
        requested.resolve();
        return new Promise<Response>(() => {}); // never answers the load
      },
    });
    const record = join(home, "kernel.json");
    try {
      writeFileSync(record, JSON.stringify({ url: `http://127.0.0.1:${stuck.port}/`, pid: process.pid }));
      const before = snapshot(home);
      const child = spawnCli(
        ["plugin", "install", "auth@1.1.0", "--registry", registry, "--home", home],
        dir,
      );
      const timeout = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await requested.promise;
      expect(existsSync(join(home, "plugins", "auth", "1.1.0"))).toBe(true);
      child.kill("SIGINT");
      // the first interrupt waits for the kernel to answer (to undo its load); the second stops at once
      let stderr = "";
      const decoder = new TextDecoder();
      const reader = child.stderr.getReader();
      while (!stderr.includes("interrupt again to stop at once")) {
        const { done, value } = await reader.read();
        if (done) break;
        stderr += decoder.decode(value, { stream: true });
      }
      child.kill("SIGINT");
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
        stderr += decoder.decode(chunk.value, { stream: true });
      }
      const code = await child.exited;
      clearTimeout(timeout);
      expect(stderr).toContain("buntime: interrupted (SIGINT); undoing the running kernel's changes first");
      expect(stderr).toContain("buntime: interrupted (SIGINT); nothing was changed");
      expect(code).toBe(130);
      expect(snapshot(home)).toEqual(before);
    } finally {
      rmSync(record, { force: true });
      stuck.stop(true);
    }
  }, 30_000);
});
