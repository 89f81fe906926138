import { afterAll, expect, it } from "bun:test";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { startRegistry } from "@buntime/registry-server";
import { writeTar } from "@buntime/supply";

/** A minimal npm tarball of name@version. */
function packageTgz(name: string, version: string): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify({ name, version }));
  return gzipSync(writeTar([{ path: "package/package.json", data: json, mode: 0o644, type: "file" }]));
}

const CLI = join(import.meta.dir, "..", "bin", "buntime.ts");
const dir = mkdtempSync(join(tmpdir(), "buntime-cli-registry-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("refuses to start the registry on a --signing-key file that does not exist, creating no key", async () => {
  const storage = join(dir, "store");
  const missing = join(dir, "typo.pem");
  const child = Bun.spawn(
    [
      process.execPath,
      CLI,
      "registry",
      "start",
      "--port",
      "0",
      "--storage",
      storage,
      "--signing-key",
      missing,
    ],
    {
      cwd: dir,
      stdout: "pipe",
      stderr: "pipe",
      stdin: "ignore",
      env: { PATH: process.env.PATH ?? "", HOME: dir },
    },
  );
  const [stderr, code] = await Promise.all([new Response(child.stderr).text(), child.exited]);
  expect(stderr).toContain(
    `registry signing key ${missing}: no such file [BUNTIME_ERR_REGISTRY_SIGNING_KEY_INVALID]`,
  );
  expect(code).toBe(1);
  expect(existsSync(join(storage, "signing"))).toBe(false);
}, 20_000);

it("takes its settings from a config file, BUNTIME_REGISTRY_* variables and flags, and proxies an uplink", async () => {
  const upstream = await startRegistry({ port: 0, storageDir: join(dir, "upstream") });
  afterAll(() => upstream.stop());
  await upstream.publishTarball(packageTgz("from-upstream", "1.0.0"));
  const config = join(dir, "registry.json");
  writeFileSync(
    config,
    JSON.stringify({
      $schema: "../registry-settings.schema.json",
      port: 4873,
      storage: "cli-store",
      signUp: "open",
    }),
  );
  const child = Bun.spawn([process.execPath, CLI, "registry", "start", "--json", "--port", "0"], {
    cwd: dir,
    stdout: "pipe",
    stderr: "pipe",
    stdin: "ignore",
    env: {
      PATH: process.env.PATH ?? "",
      HOME: dir,
      BUNTIME_REGISTRY_CONFIG: config,
      BUNTIME_REGISTRY_SIGN_UP: "closed",
      BUNTIME_REGISTRY_UPLINKS: upstream.url,
    },
  });
  const reader = child.stdout.getReader();
  const { value } = await reader.read();
  const { url } = JSON.parse(new TextDecoder().decode(value)) as { url: string };
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  const signUp = await fetch(`${url}-/user/org.couchdb.user:eve`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name: "eve", password: "long-enough-pw" }),
  });
  expect(signUp.status).toBe(403);
  const proxied = (await (await fetch(`${url}from-upstream`)).json()) as {
    versions: Record<string, unknown>;
  };
  expect(Object.keys(proxied.versions)).toEqual(["1.0.0"]);
  expect(existsSync(join(dir, "cli-store", "registry.db"))).toBe(true);
  child.kill("SIGTERM");
  expect(await child.exited).toBe(0);
}, 30_000);

it("names a bad registry setting and where it came from", async () => {
  const child = Bun.spawn(
    [process.execPath, CLI, "registry", "start", "--port", "0", "--sign-up", "sometimes"],
    {
      cwd: dir,
      stdout: "pipe",
      stderr: "pipe",
      stdin: "ignore",
      env: { PATH: process.env.PATH ?? "", HOME: dir, BUNTIME_REGISTRY_UPLINKS: "file:///etc" },
    },
  );
  const [stderr, code] = await Promise.all([new Response(child.stderr).text(), child.exited]);
  expect(stderr).toContain(
    'invalid registry settings: BUNTIME_REGISTRY_UPLINKS: expected an http(s) URL (got "file:///etc") [BUNTIME_ERR_REGISTRY_SETTINGS_INVALID]',
  );
  expect(code).not.toBe(0);
}, 20_000);
