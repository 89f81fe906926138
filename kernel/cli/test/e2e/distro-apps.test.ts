/**
 * Apps from a registry in a distribution: published to a test registry, locked like plugins
 * (version, integrity, signatures, the policy), built into the home where the router serves
 * them, verified at start with the registry stopped, refused when one byte changed; outdated,
 * upgrade and export see them too.
 */
import { afterAll, describe, expect, it } from "bun:test";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { RunningRegistry } from "@buntime/registry-server";
import { generatePublisherKeys } from "@buntime/supply";
import { untilListening } from "@buntime/test-kit/listening";
import { kernelWithDeployments } from "./deployments-kernel.ts";
import { cleanUp, cli, liveRegistry, seed, spawnCli, workspace } from "./support.ts";

afterAll(cleanUp);

const PLUGINS = join(import.meta.dir, "..", "..", "..", "..", "plugins");
const CLI = join(import.meta.dir, "..", "..", "bin", "buntime.ts");
const ROUTER = join(PLUGINS, "router");

/** Packs app `name` at `version` (answering `<name> <version>`) with `buntime app pack` and publishes it. */
async function publishApp(
  registry: RunningRegistry,
  dir: string,
  version: string,
  options: {
    name?: string;
    publisherKey?: { privateKey: string; publicKey: string };
    env?: string[];
    entry?: string;
  } = {},
): Promise<void> {
  const name = options.name ?? "shop";
  const app = join(dir, `${name.replace("/", "__")}-src-${version}`);
  mkdirSync(app);
  const manifest = options.env ? { env: options.env } : {};
  writeFileSync(join(app, "package.json"), JSON.stringify({ name, version, buntime: { app: manifest } }));
  writeFileSync(
    join(app, "index.ts"),
    options.entry ?? `export default { fetch: () => new Response("${name} ${version}") };\n`,
  );
  const run = await cli(["app", "pack", app, "--out", dir, "--json"], dir);
  expect(run.stderr).toBe("");
  const tarball = new Uint8Array(readFileSync(JSON.parse(run.stdout).path));
  const signing = options.publisherKey ? { publisher: "acme", publisherKey: options.publisherKey } : {};
  await registry.publishTarball(tarball, signing);
}

/** A folder with a manifest of the router, `apps` and a local app `notes`, against `registry`. */
function distribution(registry: RunningRegistry, apps: Record<string, unknown>, policy?: unknown): string {
  const folder = join(workspace(), "edge");
  mkdirSync(join(folder, "apps", "notes"), { recursive: true });
  writeFileSync(
    join(folder, "apps", "notes", "index.ts"),
    'export default { fetch: () => new Response("notes") };\n',
  );
  const manifest = {
    name: "edge",
    version: "1.0.0",
    registry: registry.url,
    plugins: { "@buntime/plugin-router": "^0.1.0" },
    apps: { notes: { path: "./apps/notes" }, ...apps },
    ...(policy ? { policy } : {}),
  };
  writeFileSync(join(folder, "buntime.distro.json"), JSON.stringify(manifest, null, 2));
  return folder;
}

const sha256 = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

/** Starts a build with the repository's CLI; answers its URL and a stop. */
async function started(build: string, cwd: string) {
  const child = spawnCli(["distro", "start", build, "--port", "0"], cwd);
  try {
    const { url } = await untilListening(child.stdout);
    return {
      url,
      stop: async () => {
        child.kill("SIGTERM");
        await child.exited;
      },
    };
  } catch (error) {
    child.kill("SIGKILL");
    throw new Error(`${error}: ${await new Response(child.stderr).text()}`);
  }
}

describe("apps from a registry in a distribution", () => {
  it("locks, builds the same bytes twice, starts offline and serves the app; one changed byte refuses the start", async () => {
    const dir = workspace();
    const registry = await liveRegistry(dir);
    await seed(registry, ROUTER);
    for (const version of ["1.0.0", "1.1.0", "2.0.0"]) await publishApp(registry, dir, version);
    const folder = distribution(registry, { shop: "^1" });

    const locked = await cli(["distro", "lock"], folder);
    expect(locked.stderr).toBe("");
    expect(locked.stdout).toContain("app shop: shop@1.1.0  registry-signed");
    const lockText = readFileSync(join(folder, "distro.lock.json"), "utf8");
    const lock = JSON.parse(lockText);
    expect(lock.apps.shop).toMatchObject({ package: "shop", version: "1.1.0" });
    expect(lock.apps.shop.integrity).toStartWith("sha512-");
    expect(lock.apps.shop.signature.keyid).toBe(lock.registryKeys[0].keyid);
    expect(lock.apps.notes).toBeUndefined();
    expect((await cli(["distro", "lock"], folder)).stdout).toStartWith("unchanged");
    expect(readFileSync(join(folder, "distro.lock.json"), "utf8")).toBe(lockText);

    const bare = ["--without-runner", "--tarball"];
    const one = await cli(["distro", "build", "--out", join(folder, "a", "edge"), ...bare], folder);
    expect(one.stderr).toBe("");
    expect(one.stdout).toContain("app shop@1.1.0");
    expect((await cli(["distro", "build", "--out", join(folder, "b", "edge"), ...bare], folder)).code).toBe(
      0,
    );
    expect(sha256(join(folder, "a", "edge.tar.gz"))).toBe(sha256(join(folder, "b", "edge.tar.gz")));
    const build = join(folder, "a", "edge");
    expect(readFileSync(join(build, "home", "apps", "shop", ".active"), "utf8")).toBe("1.1.0\n");

    await registry.stop();
    const kernel = await started(build, folder);
    try {
      expect(await (await fetch(new URL("/shop/", kernel.url))).text()).toBe("shop 1.1.0");
      expect(await (await fetch(new URL("/notes/", kernel.url))).text()).toBe("notes");
    } finally {
      await kernel.stop();
    }

    const file = join(build, "home", "apps", "shop", "1.1.0", "index.ts");
    const bytes = readFileSync(file);
    bytes[0] = (bytes[0] ?? 0) ^ 1;
    writeFileSync(file, bytes);
    const refused = await cli(["distro", "start", build, "--port", "0"], folder);
    expect(refused.code).toBe(1);
    expect(refused.stdout).not.toContain("listening");
    expect(refused.stderr).toContain(
      "app shop (shop@1.1.0): home/apps/shop/1.1.0/index.ts differs from the locked tarball; refusing to start [BUNTIME_ERR_DISTRO_TAMPERED]",
    );
    bytes[0] = (bytes[0] ?? 0) ^ 1;
    writeFileSync(file, bytes);
    writeFileSync(join(build, "home", "apps", "shop", "1.1.0", "extra.ts"), "export {};\n");
    const added = await cli(["start", "--distro", build, "--port", "0"], folder);
    expect(added.stderr).toContain("home/apps/shop/1.1.0/extra.ts is not in the locked tarball");
    rmSync(join(build, "home", "apps", "shop", "1.1.0", "extra.ts"));
    // a local-folder app is checked against the hashes the build recorded
    writeFileSync(join(build, "home", "apps", "notes", "index.ts"), "export default {};\n");
    const local = await cli(["distro", "start", build, "--port", "0"], folder);
    expect(local.code).toBe(1);
    expect(local.stderr).toContain(
      "app notes (local folder): home/apps/notes/index.ts differs from the build; refusing to start",
    );
  }, 90_000);

  it("puts unsatisfiable apps in the plugins' table and writes nothing; the signature policy applies to apps", async () => {
    const dir = workspace();
    const registry = await liveRegistry(dir);
    await seed(registry, ROUTER);
    await publishApp(registry, dir, "1.0.0");
    const folder = distribution(registry, {
      shop: "^3",
      ghost: "^1",
      x: { range: "^1", package: "@acme/x" },
    });
    const manifestBefore = readFileSync(join(folder, "buntime.distro.json"), "utf8");
    const run = await cli(["distro", "lock"], folder);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("[BUNTIME_ERR_DISTRO_UNSATISFIABLE]");
    expect(run.stderr).toMatch(/app ghost\s+\^1\s+buntime\.distro\.json\s+none/);
    expect(run.stderr).toMatch(/app shop\s+\^3\s+buntime\.distro\.json\s+1\.0\.0/);
    expect(run.stderr).toContain("app shop: no published version is in range");
    expect(run.stderr).toContain(`app ghost: ghost is not in registry ${registry.url}`);
    expect(run.stderr).toContain("app x (@acme/x): @acme/x is not in registry");
    expect(existsSync(join(folder, "distro.lock.json"))).toBe(false);
    expect(readFileSync(join(folder, "buntime.distro.json"), "utf8")).toBe(manifestBefore);

    const strict = distribution(registry, { shop: "^1" }, { signatures: "publisher" });
    const refused = await cli(["distro", "lock"], strict);
    expect(refused.code).toBe(1);
    // the router is checked first (plugins, then apps): sign it to reach the app
    expect(refused.stderr).toContain("BUNTIME_ERR_SIGNATURE_MISSING");

    const key = generatePublisherKeys();
    await publishApp(registry, dir, "1.5.0", { name: "@acme/shop", publisherKey: key });
    const appsOnly = join(workspace(), "apps-only");
    mkdirSync(appsOnly);
    const manifest = (apps: unknown, policy: unknown) =>
      JSON.stringify({ name: "apps-only", version: "1.0.0", registry: registry.url, apps, policy });
    writeFileSync(
      join(appsOnly, "buntime.distro.json"),
      manifest({ shop: "1.0.0" }, { signatures: "publisher" }),
    );
    const unsigned = await cli(["distro", "lock"], appsOnly);
    expect(unsigned.stderr).toContain("shop@1.0.0");
    expect(unsigned.stderr).toContain("BUNTIME_ERR_SIGNATURE_MISSING");
    writeFileSync(
      join(appsOnly, "buntime.distro.json"),
      manifest(
        { shop: { range: "^1", package: "@acme/shop" } },
        { signatures: "publisher", publishers: ["acme"] },
      ),
    );
    const signed = await cli(["distro", "lock", "--json"], appsOnly);
    expect(signed.stderr).toBe("");
    const lock = JSON.parse(signed.stdout);
    expect(lock.apps.shop).toMatchObject({
      package: "@acme/shop",
      version: "1.5.0",
      publisher: { name: "acme" },
    });
    expect(Object.keys(lock.publisherKeys)).toEqual(["acme"]);
    writeFileSync(
      join(appsOnly, "buntime.distro.json"),
      manifest(
        { shop: { range: "^1", package: "@acme/shop" } },
        { signatures: "publisher", publishers: ["globex"] },
      ),
    );
    const notAllowed = await cli(["distro", "lock"], appsOnly);
    expect(notAllowed.stderr).toContain("BUNTIME_ERR_DISTRO_PUBLISHER_NOT_ALLOWED");
  }, 90_000);

  it("shows apps in outdated, upgrades one, and exports a running kernel's deployed app into a build that serves it", async () => {
    const dir = workspace();
    const registry = await liveRegistry(dir);
    await seed(registry, ROUTER);
    await publishApp(registry, dir, "1.0.0");
    await seed(registry, join(PLUGINS, "deployments"));
    const folder = distribution(registry, { shop: "^1" });
    expect((await cli(["distro", "lock"], folder)).code).toBe(0);
    await publishApp(registry, dir, "1.1.0");
    await publishApp(registry, dir, "2.0.0");
    const outdated = await cli(["distro", "outdated"], folder);
    expect(outdated.stdout).toMatch(/\napp shop\s+1\.0\.0\s+1\.1\.0\s+2\.0\.0/);
    const plan = await cli(["distro", "upgrade", "shop", "--plan"], folder);
    expect(plan.stdout).toBe("would change (nothing written):\n  app shop 1.0.0 → 1.1.0\n");
    expect((await cli(["distro", "upgrade", "shop"], folder)).code).toBe(0);
    expect(JSON.parse(readFileSync(join(folder, "distro.lock.json"), "utf8")).apps.shop.version).toBe(
      "1.1.0",
    );

    // a kernel with an app deployed from the registry and a folder app: export, lock, build, start
    const home = join(dir, "home");
    mkdirSync(join(home, "apps", "notes"), { recursive: true });
    writeFileSync(
      join(home, "apps", "notes", "index.ts"),
      'export default { fetch: () => new Response("notes") };\n',
    );
    const kernel = await kernelWithDeployments(dir, home);
    try {
      const reg = ["--registry", registry.url];
      expect((await cli(["app", "deploy", "shop@^1", "--home", home, ...reg], dir)).code).toBe(0);
      const copy = join(dir, "copy");
      mkdirSync(copy);
      const exported = await cli(["distro", "export", "--home", home, ...reg, "--name", "copy"], copy);
      expect(exported.stdout).toContain("and 2 apps from");
      const manifest = JSON.parse(readFileSync(join(copy, "buntime.distro.json"), "utf8"));
      expect(manifest.apps).toEqual({ notes: { path: "../home/apps/notes" }, shop: "1.1.0" });
      await kernel.stop();
      expect((await cli(["distro", "lock"], copy)).code).toBe(0);
      expect((await cli(["distro", "build", "--without-runner"], copy)).code).toBe(0);
      const built = await started(join(copy, "build"), copy);
      try {
        expect(await (await fetch(new URL("/shop/", built.url))).text()).toBe("shop 1.1.0");
        expect(await (await fetch(new URL("/notes/", built.url))).text()).toBe("notes");
      } finally {
        await built.stop();
      }
    } finally {
      await kernel.stop();
    }
  }, 120_000);

  it("adds and removes apps with distro add --app and remove --app, refusing plugins and unknown names", async () => {
    const dir = workspace();
    const registry = await liveRegistry(dir);
    await seed(registry, ROUTER);
    await publishApp(registry, dir, "1.2.0");
    await publishApp(registry, dir, "2.0.0", { name: "@acme/portal" });
    const folder = distribution(registry, {});
    const path = join(folder, "buntime.distro.json");
    const apps = () => JSON.parse(readFileSync(path, "utf8")).apps;
    const added = await cli(["distro", "add", "--app", "shop", "@acme/portal@^2", "./apps/notes"], folder);
    expect(added.stderr).toBe("");
    expect(added.stdout).toContain(
      "+ app shop: ^1.2.0\n+ app portal: @acme/portal@^2\n+ app notes: ./apps/notes",
    );
    expect(apps()).toEqual({
      notes: { path: "./apps/notes" },
      portal: { range: "^2", package: "@acme/portal" },
      shop: "^1.2.0",
    });
    const before = readFileSync(path, "utf8");
    const plugin = await cli(["distro", "add", "--app", "@buntime/plugin-router"], folder);
    expect(plugin.stderr).toContain("@buntime/plugin-router@0.1.0 is no app package");
    const unknown = await cli(["distro", "remove", "--app", "ghost", "shop"], folder);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("BUNTIME_ERR_DISTRO_NOT_FOUND");
    expect(readFileSync(path, "utf8")).toBe(before);
    expect((await cli(["distro", "remove", "--app", "portal"], folder)).stdout).toBe("- app portal\n");
    expect(Object.keys(apps())).toEqual(["notes", "shop"]);
    const locked = await cli(["distro", "lock"], folder);
    expect(locked.stdout).toContain("app shop: shop@1.2.0");
  }, 60_000);

  it("gives a registry app the values of its declared env at start, from BUNTIME_APP_<APP>_<NAME>, never from the build", async () => {
    const dir = workspace();
    const registry = await liveRegistry(dir);
    await seed(registry, ROUTER);
    const entry = 'export default { fetch: () => new Response("token " + process.env.PAY_TOKEN) };\n';
    await publishApp(registry, dir, "1.0.0", { name: "pay", env: ["PAY_TOKEN"], entry });
    const folder = distribution(registry, { pay: "^1" });
    expect((await cli(["distro", "lock"], folder)).code).toBe(0);
    expect((await cli(["distro", "build", "--without-runner"], folder)).code).toBe(0);
    const build = join(folder, "build");
    const envFile = join(build, "home", "apps", "pay", "1.0.0", ".env.json");
    expect(existsSync(envFile)).toBe(false);

    const refused = await cli(["distro", "start", build, "--port", "0"], folder);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      "app pay@1.0.0 needs env PAY_TOKEN: set BUNTIME_APP_PAY_PAY_TOKEN when starting the distribution",
    );
    const child = Bun.spawn([process.execPath, CLI, "distro", "start", build, "--port", "0"], {
      cwd: folder,
      stdout: "pipe",
      stderr: "pipe",
      env: { PATH: process.env.PATH ?? "", HOME: folder, BUNTIME_APP_PAY_PAY_TOKEN: "s3cret" },
    });
    try {
      const { url } = await untilListening(child.stdout);
      expect(await (await fetch(new URL("/pay/", url))).text()).toBe("token s3cret");
      expect(statSync(envFile).mode & 0o777).toBe(0o600);
      // the router never serves the file itself (the app answers that path like any other)
      expect(await (await fetch(new URL("/pay/.env.json", url))).text()).not.toContain('"PAY_TOKEN"');
    } finally {
      child.kill("SIGTERM");
      await child.exited;
    }
    // a build made again holds no value: the values live only in the started home
    expect((await cli(["distro", "build", "--without-runner"], folder)).code).toBe(0);
    expect(existsSync(envFile)).toBe(false);
  }, 60_000);

  it("serves the build's apps from another home by links, the home's own app of that name first", async () => {
    const dir = workspace();
    const registry = await liveRegistry(dir);
    await seed(registry, ROUTER);
    await publishApp(registry, dir, "1.0.0");
    await publishApp(registry, dir, "1.0.0", { name: "cart" });
    const folder = distribution(registry, { shop: "^1", cart: "^1" });
    expect((await cli(["distro", "lock"], folder)).code).toBe(0);
    expect((await cli(["distro", "build", "--without-runner"], folder)).code).toBe(0);
    const home = join(dir, "elsewhere");
    mkdirSync(join(home, "apps", "cart"), { recursive: true });
    writeFileSync(
      join(home, "apps", "cart", "index.ts"),
      'export default { fetch: () => new Response("own cart") };\n',
    );
    const child = Bun.spawn(
      [process.execPath, CLI, "distro", "start", join(folder, "build"), "--port", "0", "--home", home],
      { cwd: folder, stdout: "pipe", stderr: "pipe", env: { PATH: process.env.PATH ?? "", HOME: folder } },
    );
    try {
      const { url } = await untilListening(child.stdout);
      expect(await (await fetch(new URL("/shop/", url))).text()).toBe("shop 1.0.0");
      expect(await (await fetch(new URL("/cart/", url))).text()).toBe("own cart");
      expect(await (await fetch(new URL("/notes/", url))).text()).toBe("notes");
      expect(readlinkSync(join(home, "apps", "shop"))).toBe(join(folder, "build", "home", "apps", "shop"));
    } finally {
      child.kill("SIGTERM");
      await child.exited;
    }
    expect(await new Response(child.stderr).text()).toContain(
      `note: ${home}/apps has its own cart, served instead of the build's`,
    );
  }, 60_000);
});
