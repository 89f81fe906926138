/**
 * The CLI's conventions, through the real `buntime` subprocess: `--dry-run` sends and writes
 * nothing, tokens come from `.npmrc` as npm reads them, colour only on a terminal and never with
 * NO_COLOR, registry calls time out and name the URL, and the cache lives in the XDG cache folder.
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { RunningRegistry } from "@buntime/registry-server";
import { cleanUp, cli, liveRegistry, seed, workspace, writePlugin } from "./support.ts";

afterAll(cleanUp);

const CLI = join(import.meta.dir, "..", "..", "bin", "buntime.ts");
const dir = workspace();
let registry: RunningRegistry;
/** Requests a stand-in registry received, by method and path; it answers whoami for one token only. */
const received: string[] = [];
const recorder = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  fetch(request) {
    const url = new URL(request.url);
    received.push(`${request.method} ${url.pathname}`);
    if (url.pathname === "/-/whoami") {
      return request.headers.get("authorization") === "Bearer npmrc-token"
        ? Response.json({ username: "ada" })
        : Response.json({ error: "bad token" }, { status: 401 });
    }
    if (url.pathname.startsWith("/hangs/")) return new Promise<Response>(() => {});
    return Response.json({ error: "not found" }, { status: 404 });
  },
});
const recorderUrl = `http://127.0.0.1:${recorder.port}/`;

beforeAll(async () => {
  registry = await liveRegistry(dir);
  await seed(registry, writePlugin(dir, { name: "cached", version: "1.0.0" }));
  expect((await cli(["plugin", "create", "dry", "--registry", registry.url], dir)).code).toBe(0);
  expect((await cli(["app", "create", "shop"], dir)).code).toBe(0);
}, 30_000);
afterAll(() => recorder.stop(true));

describe("--dry-run", () => {
  it("plugin pack --dry-run lists what the tarball would hold and writes nothing", async () => {
    const plugin = join(dir, "dry");
    const run = await cli(["plugin", "pack", "--dry-run"], plugin);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("  src/index.ts");
    expect(run.stdout).toContain(`would write ${join(plugin, "dry-0.1.0.tgz")} (`);
    expect(run.stdout).toContain("nothing written (--dry-run)");
    expect(existsSync(join(plugin, "dry-0.1.0.tgz"))).toBe(false);
    const json = JSON.parse((await cli(["plugin", "pack", "--dry-run", "--json"], plugin)).stdout);
    expect(json).toMatchObject({ name: "dry", version: "0.1.0", dryRun: true });
    expect(json.integrity).toStartWith("sha512-");
    expect(readdirSync(plugin).some((f) => f.endsWith(".tgz"))).toBe(false);
  });

  it("plugin publish --dry-run prints what would be sent where and sends nothing", async () => {
    received.length = 0;
    const run = await cli(["plugin", "publish", "--dry-run", "--registry", recorderUrl], join(dir, "dry"));
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`would publish dry@0.1.0 (latest) to ${recorderUrl}: PUT ${recorderUrl}dry`);
    expect(run.stdout).toContain("unsigned");
    expect(run.stdout).toContain("token: none");
    expect(run.stdout).toContain("nothing was sent (--dry-run)");
    expect(received).toEqual([]);
  });

  it("app pack --dry-run and app publish --dry-run write and send nothing", async () => {
    received.length = 0;
    const app = join(dir, "shop");
    const packed = await cli(["app", "pack", "--dry-run"], app);
    expect(packed.code).toBe(0);
    expect(packed.stdout).toContain("nothing written (--dry-run)");
    expect(readdirSync(app).some((f) => f.endsWith(".tgz"))).toBe(false);
    const published = await cli(
      ["app", "publish", "--dry-run", "--json", "--tag", "next", "--registry", recorderUrl],
      app,
    );
    expect(published.code).toBe(0);
    expect(JSON.parse(published.stdout)).toMatchObject({
      name: "shop",
      tag: "next",
      url: `${recorderUrl}shop`,
      dryRun: true,
      signedBy: null,
    });
    expect(received).toEqual([]);
  });
});

describe("tokens from .npmrc", () => {
  it("uses the project's .npmrc token for the registry, with a variable from the environment", async () => {
    const project = join(dir, "npmrc-project");
    mkdirSync(join(project, "sub"), { recursive: true });
    writeFileSync(join(project, "package.json"), "{}");
    writeFileSync(join(project, ".npmrc"), `//127.0.0.1:${recorder.port}/:_authToken=\${MY_TOKEN}\n`);
    const run = await cli(["whoami", "--registry", recorderUrl], join(project, "sub"), {
      MY_TOKEN: "npmrc-token",
    });
    expect(run.stdout).toBe("ada\n");
    expect(run.code).toBe(0);
    const unset = await cli(["whoami", "--registry", recorderUrl], join(project, "sub"));
    expect(unset.stderr).toContain(
      `${join(project, ".npmrc")} line 1: the token for ${recorderUrl} uses the environment variable MY_TOKEN, which is not set [BUNTIME_ERR_CLI_NPMRC_ENV]`,
    );
    expect(unset.code).toBe(1);
  });

  it("reads the user's ~/.npmrc, and BUNTIME_REGISTRY_TOKEN wins over it", async () => {
    const user = join(dir, "npmrc-user");
    mkdirSync(user);
    writeFileSync(join(user, ".npmrc"), `//127.0.0.1:${recorder.port}/:_authToken=npmrc-token\n`);
    const fromUser = await cli(["whoami", "--registry", recorderUrl], user);
    expect(fromUser.stdout).toBe("ada\n");
    expect(fromUser.stderr).toBe(`token from ${join(user, ".npmrc")}\n`);
    const env = await cli(["whoami", "--registry", recorderUrl], user, { BUNTIME_REGISTRY_TOKEN: "other" });
    expect(env.code).toBe(1);
  });
});

describe("colour", () => {
  const failing = ["whoami", "--registry", "http://127.0.0.1:9/"];

  /** Runs the CLI under a pseudo-terminal (util-linux script); answers what the terminal showed. */
  async function atTerminal(env: Record<string, string>): Promise<string> {
    const line = [process.execPath, CLI, ...failing].map((word) => `'${word}'`).join(" ");
    const child = Bun.spawn(["script", "-qec", line, "/dev/null"], {
      cwd: dir,
      stdout: "pipe",
      stderr: "pipe",
      env: { PATH: process.env.PATH ?? "", HOME: dir, BUNTIME_CLI_DIR: join(dir, "cli-settings"), ...env },
    });
    const [text] = await Promise.all([new Response(child.stdout).text(), child.exited]);
    return text;
  }

  it("is off when stderr is not a terminal", async () => {
    const run = await cli(failing, dir);
    expect(run.stderr).toContain("not logged in");
    expect(run.stderr).not.toContain("\x1b[");
  });

  it("is on at a terminal, and off there when NO_COLOR is set", async () => {
    const coloured = await atTerminal({});
    expect(coloured).toContain("\x1b[31mbuntime whoami: not logged in");
    const plain = await atTerminal({ NO_COLOR: "1" });
    expect(plain).toContain("buntime whoami: not logged in");
    expect(plain).not.toContain("\x1b[");
  });
});

describe("registry calls", () => {
  it("time out after BUNTIME_REGISTRY_TIMEOUT_MS, tried BUNTIME_REGISTRY_RETRIES more times, naming the URL", async () => {
    const run = await cli(["plugin", "info", "@acme/x", "--registry", `${recorderUrl}hangs/`], dir, {
      BUNTIME_REGISTRY_TIMEOUT_MS: "200",
      BUNTIME_REGISTRY_RETRIES: "1",
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("BUNTIME_ERR_CLIENT_UNREACHABLE");
    expect(run.stderr).toContain("no answer within 200 ms (tried 2 times)");
    expect(run.stderr).toContain(`GET ${recorderUrl}hangs/@acme%2fx`);
  });
});

describe("the cache", () => {
  it("keeps packuments in $XDG_CACHE_HOME/buntime, not in the settings folder", async () => {
    const cache = join(dir, "xdg-cache");
    const run = await cli(["plugin", "info", "cached", "--registry", registry.url], dir, {
      XDG_CACHE_HOME: cache,
    });
    expect(run.code).toBe(0);
    expect(readdirSync(join(cache, "buntime", "packuments")).length).toBeGreaterThan(0);
    expect(existsSync(join(dir, "cli-settings", "packuments"))).toBe(false);
  });

  it("defaults to ~/.cache/buntime", async () => {
    const home = join(dir, "cache-home");
    mkdirSync(home);
    const run = await cli(["plugin", "info", "cached", "--registry", registry.url], home);
    expect(run.code).toBe(0);
    expect(readdirSync(join(home, ".cache", "buntime", "packuments")).length).toBeGreaterThan(0);
  });
});
