import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { RunningRegistry } from "@buntime/registry-server";
import { untilListening } from "@buntime/test-kit/listening";
import { skipWithoutSandbox } from "@buntime/test-kit/system";
import { cleanUp, cli, liveRegistry, seed, spawnCli, workspace, writePlugin } from "./support.ts";

afterAll(cleanUp);

const NO_BWRAP = skipWithoutSandbox();

/** A plugin serving the home's app `notes` through the kernel's pool at `/apps/`. */
const FORWARDER = `export default {
  setup: (ctx) => ({
    fetch: (request) => {
      const dir = ctx.kernel.appsDir + "/notes";
      return ctx.pool.fetch({ name: "notes", version: "0.0.0", entry: dir + "/index.ts", dir }, request);
    },
  }),
};
`;

let registry: RunningRegistry;

beforeAll(async () => {
  const dir = workspace();
  registry = await liveRegistry(dir);
  await seed(registry, writePlugin(dir, { name: "@acme/apps", version: "1.0.0", entry: FORWARDER }));
}, 30_000);

/** A built distribution of the forwarder and the app `notes`, with `pool` in its manifest. */
async function built(pool: unknown): Promise<string> {
  const folder = join(workspace(), "edge");
  // a process-tier sandbox runs as another user: it must be able to walk to the app
  chmodSync(join(folder, ".."), 0o711);
  mkdirSync(join(folder, "apps", "notes"), { recursive: true });
  writeFileSync(
    join(folder, "apps", "notes", "index.ts"),
    'export default { fetch: () => new Response("notes") };\n',
  );
  const manifest = {
    name: "edge",
    version: "1.0.0",
    registry: registry.url,
    plugins: { "@acme/apps": "^1" },
    apps: { notes: { path: "./apps/notes" } },
    pool,
  };
  writeFileSync(join(folder, "buntime.distro.json"), JSON.stringify(manifest, null, 2));
  const lock = await cli(["distro", "lock"], folder);
  expect(lock.stderr).toBe("");
  const build = await cli(["distro", "build", "--without-runner"], folder);
  expect(build.stderr).toBe("");
  return folder;
}

/** Starts the build in `folder`, asks `/apps/` once, and answers what `/_/api/pool` says of `notes`. */
async function notesTier(folder: string, extra: string[] = []): Promise<{ body: string; isolation: string }> {
  const child = spawnCli(["distro", "start", join(folder, "build"), "--port", "0", ...extra], folder);
  try {
    const { url } = await untilListening(child.stdout);
    const body = await (await fetch(new URL("/apps/", url))).text();
    const pool = await (await fetch(new URL("/_/api/pool", url))).json();
    return { body, isolation: pool.apps["notes@0.0.0"]?.isolation };
  } finally {
    child.kill("SIGTERM");
    await child.exited;
  }
}

describe("a distribution's pool settings", () => {
  it("are refused at lock when they are not the kernel's, naming the field, and nothing is written", async () => {
    const folder = join(workspace(), "bad");
    mkdirSync(folder);
    const manifest = { name: "bad", version: "1.0.0", pool: { isolation: { minimum: "vm" }, port: 1 } };
    writeFileSync(join(folder, "buntime.distro.json"), JSON.stringify(manifest));
    const run = await cli(["distro", "lock", "--registry", registry.url], folder);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('pool.isolation.minimum: expected "thread" or "process"');
    expect(run.stderr).toContain('pool: Unrecognized key: "port"');
    expect(run.stderr).toContain("BUNTIME_ERR_CONFIG_INVALID");
    expect(existsSync(join(folder, "distro.lock.json"))).toBe(false);
  }, 30_000);

  it("leave apps in threads when the manifest sets none", async () => {
    expect(await notesTier(await built(undefined))).toEqual({ body: "notes", isolation: "thread" });
  }, 60_000);

  it.skipIf(NO_BWRAP)(
    "reach the built kernel: isolation.minimum process runs every app in a sandbox",
    async () => {
      const folder = await built({ isolation: { minimum: "process" }, shutdownTimeout: 2000 });
      expect(await notesTier(folder)).toEqual({ body: "notes", isolation: "process" });
    },
    60_000,
  );

  it("give way to a settings file given at start", async () => {
    const folder = await built({ isolation: { minimum: "process" } });
    writeFileSync(join(folder, "local.json"), JSON.stringify({ isolation: { minimum: "thread" } }));
    expect(await notesTier(folder, ["--config", join(folder, "local.json")])).toEqual({
      body: "notes",
      isolation: "thread",
    });
    // lowering them inside the build instead: its lock no longer matches, nothing starts
    const copy = join(folder, "build", "buntime.distro.json");
    writeFileSync(copy, readFileSync(copy, "utf8").replace('"process"', '"thread"'));
    const run = await cli(["distro", "start", join(folder, "build"), "--port", "0"], folder);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("BUNTIME_ERR_DISTRO_LOCK_STALE");
  }, 60_000);
});
