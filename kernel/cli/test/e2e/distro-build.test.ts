import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { createHash } from "node:crypto";
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import type { RunningRegistry } from "@buntime/registry-server";
import { untilListening } from "@buntime/test-kit/listening";
import { cleanUp, cli, liveRegistry, seed, snapshot, spawnCli, workspace, writePlugin } from "./support.ts";
import { tamperingProxy } from "./tampering-proxy.ts";

afterAll(cleanUp);

let dir = "";
let registry: RunningRegistry;

beforeAll(async () => {
  dir = workspace();
  registry = await liveRegistry(dir);
  await seed(registry, writePlugin(dir, { name: "@acme/hello", version: "1.0.0" }));
  await seed(
    registry,
    writePlugin(dir, { name: "@acme/web", version: "1.2.0", deps: { "@acme/hello": "^1" } }),
  );
}, 30_000);

/** A locked distribution of @acme/web (and so @acme/hello) in a fresh folder, with its own CLI settings. */
async function locked(policy?: Record<string, unknown>): Promise<string> {
  const folder = join(workspace(), "edge");
  mkdirSync(join(folder, "apps", "notes"), { recursive: true });
  writeFileSync(
    join(folder, "apps", "notes", "index.ts"),
    'export default { fetch: () => new Response("notes") };\n',
  );
  const manifest = {
    name: "edge",
    version: "1.0.0",
    kernel: "^0.1.0",
    registry: registry.url,
    plugins: { "@acme/web": { range: "^1", config: { greeting: "hi" } } },
    apps: { notes: { path: "./apps/notes" } },
    policy,
  };
  writeFileSync(join(folder, "buntime.distro.json"), JSON.stringify(manifest, null, 2));
  const run = await cli(["distro", "lock"], folder);
  expect(run.stderr).toBe("");
  return folder;
}

/** A digest of a tree: every path with its mode, mtime and (for files) bytes. */
function treeDigest(root: string): string {
  const hash = createHash("sha256");
  const walk = (relative: string) => {
    for (const name of readdirSync(join(root, relative)).sort()) {
      const path = relative ? `${relative}/${name}` : name;
      const stat = lstatSync(join(root, path));
      hash.update(`${path} ${stat.mode.toString(8)} ${stat.mtimeMs}\n`);
      if (stat.isDirectory()) walk(path);
      else hash.update(readFileSync(join(root, path)));
    }
  };
  walk("");
  return hash.digest("hex");
}

/** Runs a built distribution's start script (Bun on the PATH, nothing of the repository's settings). */
function startBuilt(args: string[], cwd: string) {
  // `bun` on the PATH, as a user has it (the test runs the npm package's bun.exe)
  const bin = join(cwd, "bin");
  if (!existsSync(bin)) {
    mkdirSync(bin);
    symlinkSync(process.execPath, join(bin, "bun"));
  }
  return Bun.spawn(args, {
    cwd,
    stdout: "pipe",
    stderr: "pipe",
    env: { PATH: `${bin}:/usr/bin:/bin:/usr/sbin:/sbin`, HOME: cwd },
  });
}

describe("buntime distro build and start", () => {
  it("builds the same bytes twice, and the build starts from another folder with the registry stopped", async () => {
    const folder = await locked();
    const first = await cli(["distro", "build", "--out", join(folder, "one")], folder);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    // byte for byte, the plugins, apps, settings and scripts; the runner is copied from this
    // repository's packages, which other work may change between two builds, so it is left out
    const bare = ["--without-runner", "--tarball"];
    expect((await cli(["distro", "build", "--out", join(folder, "a", "edge"), ...bare], folder)).code).toBe(
      0,
    );
    expect((await cli(["distro", "build", "--out", join(folder, "b", "edge"), ...bare], folder)).code).toBe(
      0,
    );
    expect(treeDigest(join(folder, "a", "edge"))).toBe(treeDigest(join(folder, "b", "edge")));
    const sha = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");
    expect(sha(join(folder, "a", "edge.tar.gz"))).toBe(sha(join(folder, "b", "edge.tar.gz")));
    const listed = Bun.spawnSync(["tar", "-tzvf", join(folder, "a", "edge.tar.gz")]).stdout.toString();
    expect(listed).toMatch(/-rwxr-xr-x 0\/0 .* edge\/start\n/);
    const provenance = JSON.parse(readFileSync(join(folder, "one", "build.json"), "utf8"));
    expect(provenance).toMatchObject({ name: "edge", version: "1.0.0", builder: "@buntime/cli 0.1.0" });

    const version = startBuilt([join(folder, "one", "start"), "--version"], folder);
    expect(await new Response(version.stdout).text()).toBe(
      `buntime 0.1.0\n${readFileSync(join(folder, "one", "build.json"), "utf8")}`,
    );
    // `buntime --version` of the build's own CLI names the build; the repository's names none
    const own = startBuilt(
      ["bun", join(folder, "one", "node_modules", "@buntime", "cli", "bin", "buntime.ts"), "--version"],
      folder,
    );
    expect(await new Response(own.stdout).text()).toBe(
      `0.1.0\n${readFileSync(join(folder, "one", "build.json"), "utf8")}`,
    );
    expect((await cli(["--version"], folder)).stdout).toBe("0.1.0\n");
    // the built folder alone, somewhere else, no registry: it runs with its own copy of the CLI
    const elsewhere = join(workspace(), "deployed");
    cpSync(join(folder, "one"), elsewhere, { recursive: true });
    const otherRegistry = await liveRegistry(workspace());
    await otherRegistry.stop();
    const child = startBuilt([join(elsewhere, "start"), "--port", "0"], dirname(elsewhere));
    try {
      const { url } = await untilListening(child.stdout);
      expect(await (await fetch(new URL("/web/x", url))).text()).toBe("@acme/web@1.2.0");
      expect(await (await fetch(new URL("/hello/", url))).text()).toBe("@acme/hello@1.0.0");
      expect(await (await fetch(new URL("/notes/", url))).status).toBeLessThan(500);
      expect(await (await fetch(new URL("/.well-known/buntime", url))).json()).toEqual(provenance);
    } finally {
      child.kill("SIGTERM");
      await child.exited;
    }
  }, 60_000);

  it.skipIf(Bun.spawnSync(["unshare", "-n", "true"]).exitCode !== 0)(
    "starts in a network namespace with no route anywhere (only loopback up)",
    async () => {
      const folder = await locked();
      expect((await cli(["distro", "build"], folder)).code).toBe(0);
      const build = join(folder, "build");
      const script = `ip link set lo up && exec ${build}/start --port 0`;
      const child = startBuilt(["unshare", "-n", "sh", "-c", script], folder);
      try {
        const { url } = await untilListening(child.stdout);
        // the kernel is in its own network namespace: ask it from inside that namespace
        const probe = Bun.spawnSync([
          "nsenter",
          "-t",
          String(child.pid),
          "-n",
          "curl",
          "-s",
          new URL("/web/", url).href,
        ]);
        expect(probe.stdout.toString()).toBe("@acme/web@1.2.0");
      } finally {
        child.kill("SIGTERM");
        await child.exited;
      }
    },
    60_000,
  );

  it("refuses to start when one byte of one plugin file changed, naming the package and the file, serving nothing", async () => {
    const folder = await locked();
    expect((await cli(["distro", "build"], folder)).code).toBe(0);
    const file = join(folder, "build", "plugins", "@acme", "hello", "1.0.0", "index.ts");
    const bytes = readFileSync(file);
    bytes[0] = (bytes[0] ?? 0) ^ 1;
    writeFileSync(file, bytes);
    const run = await cli(["start", "--distro", join(folder, "build"), "--port", "0"], folder);
    expect(run.code).toBe(1);
    expect(run.stdout).not.toContain("listening");
    expect(run.stderr).toContain(
      "@acme/hello@1.0.0: plugins/@acme/hello/1.0.0/index.ts differs from the locked tarball; refusing to start [BUNTIME_ERR_DISTRO_TAMPERED]",
    );

    writeFileSync(
      file,
      bytes.map((b, i) => (i === 0 ? b ^ 1 : b)),
    );
    writeFileSync(join(dirname(file), "extra.ts"), "export {};\n");
    const added = await cli(["distro", "start", join(folder, "build"), "--port", "0"], folder);
    expect(added.stderr).toContain("plugins/@acme/hello/1.0.0/extra.ts is not in the locked tarball");
  }, 60_000);

  it("keeps what the kernel wrote into the build's home across a rebuild, and replaces the apps", async () => {
    const folder = await locked();
    expect((await cli(["distro", "build"], folder)).code).toBe(0);
    const home = join(folder, "build", "home");
    mkdirSync(join(home, "data"), { recursive: true });
    writeFileSync(join(home, "data", "users.db"), "state");
    writeFileSync(join(home, "apps", "notes", "index.ts"), "changed by hand");
    writeFileSync(
      join(folder, "buntime.distro.json"),
      readFileSync(join(folder, "buntime.distro.json"), "utf8").replace('"1.0.0"', '"1.0.1"'),
    );
    expect((await cli(["distro", "lock"], folder)).code).toBe(0);
    expect((await cli(["distro", "build"], folder)).code).toBe(0);
    expect(JSON.parse(readFileSync(join(folder, "build", "build.json"), "utf8")).version).toBe("1.0.1");
    expect(readFileSync(join(home, "data", "users.db"), "utf8")).toBe("state");
    expect(readFileSync(join(home, "apps", "notes", "index.ts"), "utf8")).toContain("notes");
  }, 60_000);

  it("writes a Dockerfile and a CycloneDX SBOM of every plugin and its integrity with --docker", async () => {
    const folder = await locked();
    const refused = await cli(["distro", "build", "--docker", "--without-runner"], folder);
    expect(refused.code).toBe(2);
    expect((await cli(["distro", "build", "--docker"], folder)).code).toBe(0);
    const dockerfile = readFileSync(join(folder, "build", "Dockerfile"), "utf8");
    expect(dockerfile).toContain(`FROM oven/bun:${Bun.version}-slim\n`);
    expect(dockerfile).toContain('ENTRYPOINT ["./start"]\n');
    const lock = JSON.parse(readFileSync(join(folder, "distro.lock.json"), "utf8"));
    const sbom = JSON.parse(readFileSync(join(folder, "build", "sbom.cdx.json"), "utf8"));
    expect(sbom).toMatchObject({ bomFormat: "CycloneDX", specVersion: "1.5" });
    expect(
      sbom.components.map((c: { purl: string; hashes: { content: string }[] }) => [
        c.purl,
        c.hashes[0]?.content,
      ]),
    ).toEqual(
      Object.entries(lock.plugins).map(([name, p]) => [
        `pkg:npm/${name.replace("@", "%40")}@${(p as { version: string }).version}`,
        Buffer.from((p as { integrity: string }).integrity.slice(7), "base64").toString("hex"),
      ]),
    );
  }, 60_000);

  it("builds offline from a warm tarball cache, and says which tarball a cold one lacks", async () => {
    const folder = await locked();
    const cold = await cli(["distro", "build", "--offline"], folder);
    expect(cold.code).toBe(1);
    expect(cold.stderr).toContain("tarball of @acme/hello@1.0.0 in the cache");
    expect(existsSync(join(folder, "build"))).toBe(false);
    expect(
      (await cli(["distro", "build", "--without-runner", "--out", join(folder, "first")], folder)).code,
    ).toBe(0);
    const warm = await cli(["distro", "build", "--offline", "--without-runner"], folder);
    expect(warm.stderr).toBe("");
    expect(treeDigest(join(folder, "build"))).toBe(treeDigest(join(folder, "first")));
  }, 60_000);

  it("never builds over a folder that is no earlier build, and never starts one", async () => {
    const folder = await locked();
    const over = await cli(["distro", "build", "--out", join(folder, "apps")], folder);
    expect(over.stderr).toContain("exists already: it is not an earlier build; choose another --out");
    expect(readdirSync(join(folder, "apps"))).toEqual(["notes"]);
    const start = await cli(["distro", "start", folder, "--port", "0"], folder);
    expect(start.stderr).toContain(`${folder} is not a built distribution: no build.json`);
  }, 60_000);

  it("refuses a tampered tarball from the registry and leaves no build", async () => {
    const folder = await locked();
    const proxy = tamperingProxy(registry.url);
    proxy.state.mode = { kind: "corrupt-tarball" };
    try {
      const run = await cli(["distro", "build", "--registry", proxy.url], folder);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain("BUNTIME_ERR_CLIENT_INTEGRITY_MISMATCH");
      expect(readdirSync(folder).filter((name) => name.includes("build"))).toEqual([]);
    } finally {
      proxy.stop();
    }
  }, 60_000);

  it("refuses a lock whose signature the policy requires but that has none, and a lock of another manifest", async () => {
    const folder = await locked();
    const lockPath = join(folder, "distro.lock.json");
    const lock = JSON.parse(readFileSync(lockPath, "utf8"));
    delete lock.plugins["@acme/hello"].signature;
    writeFileSync(lockPath, JSON.stringify(lock));
    const unsigned = await cli(["distro", "build"], folder);
    expect(unsigned.stderr).toContain(
      "@acme/hello@1.0.0: no registry signature, and the signature policy 'registry' requires one [BUNTIME_ERR_SIGNATURE_MISSING]",
    );
    // a version that would name a folder outside the build
    const hostile = structuredClone(lock);
    hostile.plugins["@acme/hello"].version = "../../../escaped";
    writeFileSync(lockPath, JSON.stringify(hostile));
    const escaped = await cli(["distro", "build"], folder);
    expect(escaped.stderr).toContain("plugins.@acme/hello.version: expected an exact semver version");
    expect(existsSync(join(folder, "..", "..", "escaped"))).toBe(false);
    writeFileSync(lockPath, JSON.stringify(lock));
    const manifestPath = join(folder, "buntime.distro.json");
    writeFileSync(manifestPath, readFileSync(manifestPath, "utf8").replace('"1.0.0"', '"1.0.1"'));
    const stale = await cli(["distro", "build"], folder);
    expect(stale.stderr).toContain("BUNTIME_ERR_DISTRO_LOCK_STALE");
    expect(existsSync(join(folder, "build"))).toBe(false);
  }, 60_000);

  it("leaves nothing when interrupted mid-build, and keeps the earlier build", async () => {
    const folder = await locked();
    // a registry whose tarballs never arrive: the build waits inside its staging folder
    const stalled = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      async fetch(request) {
        const url = new URL(request.url);
        if (url.pathname.endsWith(".tgz")) return new Promise<Response>(() => {});
        const upstream = await fetch(new URL(url.pathname, registry.url));
        return new Response((await upstream.text()).replaceAll(registry.url, `${url.origin}/`), upstream);
      },
    });
    try {
      const child = spawnCli(["distro", "build", "--registry", stalled.url.href], folder);
      for (let i = 0; i < 200 && !readdirSync(folder).some((n) => n.startsWith(".build.building-")); i++) {
        await Bun.sleep(25);
      }
      expect(readdirSync(folder).some((n) => n.startsWith(".build.building-"))).toBe(true);
      child.kill("SIGTERM");
      expect(await child.exited).toBe(130);
      expect(readdirSync(folder).filter((n) => n.includes("build"))).toEqual([]);
    } finally {
      stalled.stop(true);
    }
    // a complete build, then a failed one: the complete one stays as it was
    expect((await cli(["distro", "build"], folder)).code).toBe(0);
    const before = snapshot(join(folder, "build"));
    const lockPath = join(folder, "distro.lock.json");
    writeFileSync(
      lockPath,
      readFileSync(lockPath, "utf8").replace(/"integrity": "sha512-./, '"integrity": "sha512-A'),
    );
    expect((await cli(["distro", "build"], folder)).code).toBe(1);
    expect(snapshot(join(folder, "build"))).toEqual(before);
    expect(readdirSync(folder).filter((n) => n.includes("build"))).toEqual(["build"]);
  }, 60_000);
});
