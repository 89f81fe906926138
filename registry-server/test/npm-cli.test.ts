import { describe, expect, it } from "bun:test";
import { generateKeyPairSync } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { npmUser, writePackage } from "./helpers/npm.ts";
import { startOfflineSigstore } from "./helpers/offline-sigstore.ts";
import { call, signUp, startTestRegistry } from "./helpers/registry.ts";
import { packageTgz, publishBody } from "./helpers/tarball.ts";

const registry = await startTestRegistry();
const alice = npmUser(join(registry.dir, "alice"), registry.url);
const LOGIN: [RegExp, string][] = [
  [/Username:/, "alice"],
  [/Password:/, "alice-secret-pw"],
  [/Email/, "alice@example.com"],
];
const plugin = {
  name: "@acme/hello",
  version: "1.0.0",
  description: "Says hello",
  keywords: ["greeting"],
  main: "index.js",
  buntime: { kernel: "^0.1.0", base: "/hello" },
};

describe("the npm CLI against the registry", () => {
  it("signs up with npm adduser and answers npm whoami with the new user", async () => {
    const added = await alice.npm(["adduser"], { answers: LOGIN });
    expect(added.code).toBe(0);
    expect(readFileSync(alice.userconfig, "utf8")).toMatch(/:_authToken=bt_/);
    const who = await alice.npm(["whoami"]);
    expect(who.stdout.trim()).toBe("alice");
  }, 30_000);

  it("logs an existing user in again with npm login and refuses a wrong password", async () => {
    const bob = npmUser(join(registry.dir, "alice-2"), registry.url);
    const wrong = await bob.npm(["login"], {
      answers: [
        [/Username:/, "alice"],
        [/Password:/, "not-her-password"],
      ],
    });
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/401|wrong username, password or token/);
    const right = await bob.npm(["login"], {
      answers: [
        [/Username:/, "alice"],
        [/Password:/, "alice-secret-pw"],
      ],
    });
    expect(right.code).toBe(0);
    expect((await bob.npm(["whoami"])).stdout.trim()).toBe("alice");
  }, 30_000);

  it("publishes a scoped plugin and an unscoped package that npm view then lists", async () => {
    const scoped = writePackage(join(registry.dir, "hello"), plugin, "# Hello\nA plugin.\n");
    expect((await alice.npm(["publish", "--access", "public"], { cwd: scoped })).code).toBe(0);
    writePackage(scoped, { ...plugin, version: "1.1.0" });
    expect((await alice.npm(["publish"], { cwd: scoped })).code).toBe(0);
    const plain = writePackage(join(registry.dir, "left-pad-ish"), {
      name: "left-pad-ish",
      version: "2.0.0",
    });
    expect((await alice.npm(["publish"], { cwd: plain })).code).toBe(0);

    const view = await alice.npm(["view", "@acme/hello", "versions", "dist-tags", "--json"]);
    expect(JSON.parse(view.stdout)).toEqual({
      versions: ["1.0.0", "1.1.0"],
      "dist-tags": { latest: "1.1.0" },
    });
    const plainView = await alice.npm(["view", "left-pad-ish", "version"]);
    expect(plainView.stdout.trim()).toBe("2.0.0");
  }, 40_000);

  it("shows npm users why a publish was refused", async () => {
    const broken = writePackage(join(registry.dir, "broken"), {
      ...plugin,
      name: "broken-plugin",
      buntime: { kernel: "soon" },
    });
    const refused = await alice.npm(["publish"], { cwd: broken });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain("400 Bad Request");
    expect(refused.stderr).toContain(
      'BUNTIME_ERR_MANIFEST_INVALID: broken-plugin@1.0.0 (published tarball): invalid plugin manifest: buntime.kernel: expected a semver range, got "soon"',
    );
  }, 30_000);

  it("keeps latest off a prerelease: npm refuses it without --tag, the registry with --tag latest", async () => {
    const named = { ...plugin, name: "@acme/early", description: "Tries prereleases", keywords: [] };
    const pre = writePackage(join(registry.dir, "early"), named);
    expect((await alice.npm(["publish"], { cwd: pre })).code).toBe(0);
    writePackage(pre, { ...named, version: "1.2.0-beta.1" });
    const untagged = await alice.npm(["publish"], { cwd: pre });
    expect(untagged.code).not.toBe(0);
    expect(untagged.stderr).toContain(
      "You must specify a tag using --tag when publishing a prerelease version",
    );
    const asLatest = await alice.npm(["publish", "--tag", "latest"], { cwd: pre });
    expect(asLatest.code).not.toBe(0);
    expect(asLatest.stderr).toContain("400 Bad Request");
    expect(asLatest.stderr).toContain(
      "BUNTIME_ERR_REGISTRY_PRERELEASE_LATEST: @acme/early@1.2.0-beta.1: a prerelease does not become latest at publish",
    );
    expect((await alice.npm(["publish", "--tag", "next"], { cwd: pre })).code).toBe(0);
    const view = await alice.npm(["view", "@acme/early", "dist-tags", "--json"]);
    expect(JSON.parse(view.stdout)).toEqual({ latest: "1.0.0", next: "1.2.0-beta.1" });
  }, 40_000);

  it("adds, lists and removes a dist-tag with npm dist-tag", async () => {
    expect((await alice.npm(["dist-tag", "add", "@acme/hello@1.0.0", "stable"])).code).toBe(0);
    expect((await alice.npm(["dist-tag", "ls", "@acme/hello"])).stdout).toContain("stable: 1.0.0");
    expect((await alice.npm(["dist-tag", "rm", "@acme/hello", "stable"])).code).toBe(0);
    const tags = await call(registry.base, "GET", "/-/package/@acme%2fhello/dist-tags");
    expect(tags.body).toEqual({ latest: "1.1.0" });
  }, 30_000);

  it("deprecates a version with npm deprecate", async () => {
    expect((await alice.npm(["deprecate", "@acme/hello@1.0.0", "use 1.1"])).code).toBe(0);
    const view = await alice.npm(["view", "@acme/hello@1.0.0", "deprecated"]);
    expect(view.stdout.trim()).toBe("use 1.1");
  }, 30_000);

  it("finds published packages with npm search", async () => {
    const found = await alice.npm(["search", "hello", "--json"]);
    const names = (JSON.parse(found.stdout) as { name: string }[]).map((p) => p.name);
    expect(names).toEqual(["@acme/hello"]);
  }, 30_000);

  it("installs a plugin with npm install into a fresh folder and bun add into another", async () => {
    const app = join(registry.dir, "npm-app");
    mkdirSync(app);
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "npm-app", version: "1.0.0" }));
    const installed = await alice.npm(["install", "@acme/hello"], { cwd: app });
    expect(installed.code).toBe(0);
    const pkg = JSON.parse(readFileSync(join(app, "node_modules/@acme/hello/package.json"), "utf8"));
    expect(pkg.version).toBe("1.1.0");

    const bunApp = join(registry.dir, "bun-app");
    mkdirSync(bunApp);
    writeFileSync(join(bunApp, "package.json"), JSON.stringify({ name: "bun-app", version: "1.0.0" }));
    writeFileSync(join(bunApp, "bunfig.toml"), `[install]\nregistry = "${registry.url}"\n`);
    const bun = Bun.spawn([process.execPath, "add", "@acme/hello@1.0.0", "left-pad-ish"], {
      cwd: bunApp,
      env: { ...process.env, BUN_INSTALL_CACHE_DIR: join(registry.dir, "bun-cache") },
      stdout: "pipe",
      stderr: "pipe",
    });
    expect(await bun.exited).toBe(0);
    expect(
      JSON.parse(readFileSync(join(bunApp, "node_modules/@acme/hello/package.json"), "utf8")).version,
    ).toBe("1.0.0");
    expect(readFileSync(join(bunApp, "node_modules/left-pad-ish/README.md"), "utf8")).toBe("# readme\n");
  }, 60_000);

  it("publishes with bun publish and a token in bunfig.toml", async () => {
    const token = await signUp(registry.base, "bunny");
    const dir = writePackage(join(registry.dir, "bun-published"), { name: "@bunny/tool", version: "0.3.0" });
    writeFileSync(
      join(dir, "bunfig.toml"),
      `[install]\nregistry = { url = "${registry.url}", token = "${token}" }\n`,
    );
    const bun = Bun.spawn([process.execPath, "publish"], {
      cwd: dir,
      env: { ...process.env, BUN_INSTALL_CACHE_DIR: join(registry.dir, "bun-cache-2") },
      stdout: "pipe",
      stderr: "pipe",
    });
    expect(await bun.exited).toBe(0);
    const doc = (await call(registry.base, "GET", "/@bunny%2ftool")).body;
    expect(doc["dist-tags"]).toEqual({ latest: "0.3.0" });
    expect(doc.versions["0.3.0"]._npmUser).toEqual({ name: "bunny" });
  }, 30_000);

  it("passes npm audit signatures for the plugin npm installed", async () => {
    const sigstore = await startOfflineSigstore(join(registry.dir, "sigstore"));
    sigstore.trustIn(alice.cache);
    const audit = await alice.npm(["audit", "signatures"], {
      cwd: join(registry.dir, "npm-app"),
      env: sigstore.env,
    });
    // npm finds no TUF target for this registry and falls back to its /-/npm/v1/keys.
    expect(audit.stderr.trim()).toBe(
      `npm warn Fetching verification keys using TUF failed.  Fetching directly from ${registry.url}.`,
    );
    expect(audit.code).toBe(0);
    expect(audit.stdout).toContain("1 package has a verified registry signature");

    // The same packages seen through a registry that serves another key must fail the audit.
    const otherKey = generateKeyPairSync("ec", { namedCurve: "prime256v1" })
      .publicKey.export({ type: "spki", format: "der" })
      .toString("base64");
    const realKeys = (await call(registry.base, "GET", "/-/npm/v1/keys")).body.keys as object[];
    const forger = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      async fetch(request) {
        const url = new URL(request.url);
        if (url.pathname === "/-/npm/v1/keys")
          return Response.json({ keys: realKeys.map((k) => ({ ...k, key: otherKey })) });
        const upstream = await fetch(`${registry.base}${url.pathname}${url.search}`, {
          headers: { accept: request.headers.get("accept") ?? "*/*" },
        });
        return new Response(await upstream.arrayBuffer(), {
          status: upstream.status,
          headers: { "content-type": upstream.headers.get("content-type") ?? "application/json" },
        });
      },
    });
    const forged = await alice.npm(
      ["audit", "signatures", "--registry", `http://127.0.0.1:${forger.port}/`],
      {
        cwd: join(registry.dir, "npm-app"),
        env: sigstore.env,
      },
    );
    forger.stop(true);
    expect(forged.code).toBe(1);
    expect(forged.stdout).toContain("1 package has an invalid registry signature");
  }, 30_000);

  it("serves registry signatures that npm's own verifier (pacote, as npm audit signatures runs it) accepts", async () => {
    const { keys } = (await call(registry.base, "GET", "/-/npm/v1/keys")).body;
    const script = `
      const pacote = require(process.argv[1] + "/node_modules/pacote");
      const keys = JSON.parse(process.argv[2]).map((k) => ({ ...k, pemkey: "-----BEGIN PUBLIC KEY-----\\n" + k.key + "\\n-----END PUBLIC KEY-----" }));
      const url = new URL(process.argv[3]);
      pacote.manifest("@acme/hello@1.1.0", { registry: url.href, verifySignatures: true, ["//" + url.host + "/:_keys"]: keys, cache: process.argv[4] })
        .then((m) => console.log(JSON.stringify({ signatures: m._signatures, integrity: m._integrity })))
        .catch((e) => { console.error(e.code, e.message); process.exit(1); });`;
    const npmRoot = (await Bun.$`npm root -g`.quiet().text()).trim();
    const ok =
      await Bun.$`node -e ${script} ${join(npmRoot, "npm")} ${JSON.stringify(keys)} ${registry.url} ${join(registry.dir, "pacote")}`
        .quiet()
        .nothrow();
    expect(ok.exitCode).toBe(0);
    const verified = JSON.parse(ok.stdout.toString());
    expect(verified.signatures[0].keyid).toBe(keys[0].keyid);

    const other = generateKeyPairSync("ec", { namedCurve: "prime256v1" }).publicKey;
    const otherKey = other.export({ type: "spki", format: "der" }).toString("base64");
    const tampered = keys.map((k: object) => ({ ...k, key: otherKey }));
    const bad =
      await Bun.$`node -e ${script} ${join(npmRoot, "npm")} ${JSON.stringify(tampered)} ${registry.url} ${join(registry.dir, "pacote-2")}`
        .quiet()
        .nothrow();
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr.toString()).toContain("EINTEGRITYSIGNATURE");
  }, 30_000);

  it("adds and removes an owner with npm owner, who may then publish", async () => {
    const bob = await signUp(registry.base, "bob");
    expect((await alice.npm(["owner", "add", "bob", "@acme/hello"])).code).toBe(0);
    expect((await alice.npm(["owner", "ls", "@acme/hello"])).stdout).toMatch(/alice[\s\S]*bob/);
    const tarball = packageTgz("@acme/hello", "1.2.0", { buntime: { kernel: "^0.1.0" } });
    const published = await call(registry.base, "PUT", "/@acme%2fhello", {
      token: bob,
      body: publishBody("@acme/hello", "1.2.0", tarball),
    });
    expect(published.status).toBe(201);
    expect((await alice.npm(["owner", "rm", "bob", "@acme/hello"])).code).toBe(0);
    expect((await alice.npm(["owner", "ls", "@acme/hello"])).stdout).not.toContain("bob");
    const refused = await call(registry.base, "PUT", "/-/package/@acme%2fhello/dist-tags/bob", {
      token: bob,
      body: "1.2.0",
    });
    expect(refused.status).toBe(403);
  }, 30_000);

  it("creates a read-only token with npm token create that cannot publish", async () => {
    const created = await alice.npm(["token", "create", "--packages-and-scopes-permission", "read-only"], {
      answers: [[/password/i, "alice-secret-pw"]],
    });
    expect(created.code).toBe(0);
    const token = /Created token (\S+)/.exec(created.stdout)?.[1] ?? "";
    expect((await call(registry.base, "GET", "/-/whoami", { token })).body).toEqual({ username: "alice" });
    const body = publishBody("@acme/hello", "9.0.0", packageTgz("@acme/hello", "9.0.0"));
    expect((await call(registry.base, "PUT", "/@acme%2fhello", { token, body })).status).toBe(403);
  }, 30_000);

  it("unpublishes one version with npm unpublish NAME@VERSION and keeps the rest", async () => {
    expect((await alice.npm(["unpublish", "@acme/hello@1.0.0"])).code).toBe(0);
    const view = await alice.npm(["view", "@acme/hello", "versions", "--json"]);
    expect(JSON.parse(view.stdout)).toEqual(["1.1.0", "1.2.0"]);
    const tarball = await fetch(`${registry.base}/@acme/hello/-/hello-1.0.0.tgz`);
    expect(tarball.status).toBe(404);
  }, 30_000);

  it("unpublishes a whole package with npm unpublish --force and keeps its versions reserved", async () => {
    expect((await alice.npm(["unpublish", "left-pad-ish", "--force"])).code).toBe(0);
    expect((await call(registry.base, "GET", "/left-pad-ish")).status).toBe(404);
    const again = await alice.npm(["publish"], { cwd: join(registry.dir, "left-pad-ish") });
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain("409 Conflict");
  }, 30_000);

  it("revokes the saved token with npm logout", async () => {
    const token = /:_authToken=(\S+)/.exec(readFileSync(alice.userconfig, "utf8"))?.[1] ?? "";
    expect((await call(registry.base, "GET", "/-/whoami", { token })).status).toBe(200);
    expect((await alice.npm(["logout"])).code).toBe(0);
    expect((await call(registry.base, "GET", "/-/whoami", { token })).status).toBe(401);
  }, 30_000);
});
