/**
 * Ctrl-C while a command is loading plugins into the running kernel: the CLI undoes the
 * kernel's loads as well as the home's changes, so both stay as they were.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { existsSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  cleanUp,
  cli,
  liveRegistry,
  runningKernel,
  seed,
  snapshot,
  spawnCli,
  workspace,
  writePlugin,
} from "./support.ts";

afterAll(cleanUp);

const dir = workspace();
const home = join(dir, "home");
/** Where the slow plugins mark that their `setup` began and ended (outside the home). */
const marks = join(dir, "marks");
let registry = "";
let kernel: URL;

/** An entry whose `setup` marks its start, takes 1.5 s, then marks its end. */
function slowEntry(id: string): string {
  const mark = (what: string) => JSON.stringify(join(marks, `${id}.${what}`));
  return `import { mkdirSync, writeFileSync } from "node:fs";
export default {
  async setup() {
    mkdirSync(${JSON.stringify(marks)}, { recursive: true });
    writeFileSync(${mark("started")}, "");
    await Bun.sleep(1500);
    writeFileSync(${mark("done")}, "");
    return { fetch: () => new Response(${JSON.stringify(id)}) };
  },
};
`;
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(20);
  }
}

/** The running kernel's plugin list (reading it needs no admin token), sorted by name. */
async function kernelPlugins(): Promise<{ name: string; version: string; status: string }[]> {
  const response = await fetch(new URL("/_/api/plugins", kernel), { signal: AbortSignal.timeout(5_000) });
  const { plugins } = (await response.json()) as {
    plugins: { name: string; version: string; status: string }[];
  };
  return plugins
    .map(({ name, version, status }) => ({ name, version, status }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

async function run(args: string[]): Promise<void> {
  const done = await cli([...args, "--registry", registry, "--home", home], dir);
  expect(done.stderr).not.toContain("error");
  expect(done.code).toBe(0);
}

/**
 * Runs a CLI command, sends it SIGINT once `slow` (name@version) is inside its `setup` in the
 * kernel, and checks it exits 130 leaving the home and the kernel's plugins as they were.
 */
async function interruptWhileLoading(args: string[], slow: string): Promise<void> {
  rmSync(marks, { recursive: true, force: true });
  const homeBefore = snapshot(home);
  const kernelBefore = await kernelPlugins();
  const child = spawnCli([...args, "--registry", registry, "--home", home], dir);
  const timeout = setTimeout(() => child.kill("SIGKILL"), 20_000);
  try {
    await until(
      () => existsSync(join(marks, `${slow}.started`)) || child.exitCode !== null,
      `${slow} to load`,
    );
    expect(child.exitCode).toBeNull();
    child.kill("SIGINT");
    const [code, stderr] = await Promise.all([child.exited, new Response(child.stderr).text()]);
    // the kernel finishes the load it was in (with or without the CLI waiting for it)
    await until(() => existsSync(join(marks, `${slow}.done`)), `${slow} to finish its setup`);
    await Bun.sleep(200);
    expect(stderr).toContain("buntime: interrupted (SIGINT); nothing was changed");
    expect(code).toBe(130);
    expect(snapshot(home)).toEqual(homeBefore);
    expect(await kernelPlugins()).toEqual(kernelBefore);
    expect(stderr).toContain("buntime: interrupted (SIGINT); undoing the running kernel's changes first");
  } finally {
    clearTimeout(timeout);
    child.kill("SIGKILL");
  }
}

beforeAll(async () => {
  const running = await liveRegistry(dir);
  registry = running.url;
  for (const fixture of [
    { name: "steady", version: "1.0.0" },
    { name: "steady", version: "2.0.0", entry: slowEntry("steady@2.0.0") },
    { name: "helper", version: "1.0.0" },
    { name: "slow", version: "1.0.0", deps: { helper: "^1.0.0" }, entry: slowEntry("slow@1.0.0") },
    { name: "slow", version: "1.1.0", deps: { helper: "^1.0.0" } },
  ]) {
    await seed(running, writePlugin(dir, fixture));
  }
  kernel = (await runningKernel(home, dir)).url;
  await run(["plugin", "install", "steady@1.0.0"]);
}, 30_000);

describe("an interrupt while the plugins load into the running kernel", () => {
  it("unloads what an install loaded (a dependency too) and puts the home back", async () => {
    await interruptWhileLoading(["plugin", "install", "slow@1.0.0"], "slow@1.0.0");
    expect((await kernelPlugins()).map((p) => p.name)).toEqual(["steady"]);
  }, 40_000);

  it("swaps the previous version back in after an interrupted upgrade", async () => {
    await interruptWhileLoading(["plugin", "upgrade", "steady"], "steady@2.0.0");
    expect(await kernelPlugins()).toEqual([{ name: "steady", version: "1.0.0", status: "running" }]);
    expect(await (await fetch(new URL("/steady/", kernel))).text()).toBe("steady@1.0.0");
  }, 40_000);

  it("swaps the current version back in after an interrupted rollback", async () => {
    await run(["plugin", "install", "slow@1.0.0"]);
    await run(["plugin", "upgrade", "slow"]);
    await interruptWhileLoading(["plugin", "rollback", "slow"], "slow@1.0.0");
    expect((await kernelPlugins()).find((p) => p.name === "slow")?.version).toBe("1.1.0");
    expect(await (await fetch(new URL("/slow/", kernel))).text()).toBe("slow@1.1.0");
  }, 40_000);
});

describe("an interrupt while the running kernel unloads a removed plugin", () => {
  it("puts the home back, then loads the plugin again", async () => {
    // a real kernel unloads at once, so a scripted one holds the unload until the CLI is interrupted
    const other = join(dir, "other-home");
    const installed = await cli(
      ["plugin", "install", "steady@1.0.0", "--registry", registry, "--home", other],
      dir,
    );
    expect(installed.code).toBe(0);
    const unloadAsked = Promise.withResolvers<void>();
    const answerUnload = Promise.withResolvers<void>();
    const reloads: { body: unknown; folderBack: boolean }[] = [];
    const stub = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      async fetch(request) {
        const path = new URL(request.url).pathname;
        if (path === "/_/api/health") return Response.json({ status: "ok" });
        if (request.method === "GET") {
          return Response.json({ plugins: [{ name: "steady", version: "1.0.0", status: "running" }] });
        }
        if (request.method === "DELETE") {
          unloadAsked.resolve();
          await answerUnload.promise;
          return new Response(null, { status: 204 });
        }
        const folderBack = existsSync(join(other, "plugins", "steady", "1.0.0", "index.ts"));
        reloads.push({ body: await request.json(), folderBack });
        return Response.json({}, { status: 201 });
      },
    });
    writeFileSync(
      join(other, "kernel.json"),
      JSON.stringify({ url: `http://127.0.0.1:${stub.port}/`, pid: process.pid }),
    );
    const before = snapshot(other);
    const child = spawnCli(["plugin", "remove", "steady", "--home", other], dir);
    const timeout = setTimeout(() => child.kill("SIGKILL"), 20_000);
    try {
      await unloadAsked.promise;
      child.kill("SIGINT");
      let stderr = "";
      const decoder = new TextDecoder();
      for await (const chunk of child.stderr) {
        stderr += decoder.decode(chunk, { stream: true });
        if (stderr.includes("interrupt again to stop at once")) answerUnload.resolve();
      }
      expect(await child.exited).toBe(130);
      expect(stderr).toContain("buntime: interrupted (SIGINT); nothing was changed");
      expect(snapshot(other)).toEqual(before);
      expect(reloads).toEqual([
        { body: { plugins: [{ name: "steady", version: "1.0.0" }] }, folderBack: true },
      ]);
    } finally {
      clearTimeout(timeout);
      answerUnload.resolve();
      child.kill("SIGKILL");
      stub.stop(true);
    }
  }, 40_000);
});
