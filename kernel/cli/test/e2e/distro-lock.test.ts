import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { RunningRegistry } from "@buntime/registry-server";
import { createRegistryClient, generatePublisherKeys, packPlugin, signIntegrity } from "@buntime/supply";
import { cleanUp, cli, liveRegistry, seed, workspace, writePlugin } from "./support.ts";

afterAll(cleanUp);

let dir = "";
let registry: RunningRegistry;
let publisherKeyId = "";

beforeAll(async () => {
  dir = workspace();
  registry = await liveRegistry(dir);
  for (const version of ["1.0.0", "1.2.0", "1.3.0", "2.0.0"]) {
    await seed(registry, writePlugin(dir, { name: "@acme/cache", version }));
  }
  await seed(
    registry,
    writePlugin(dir, { name: "@acme/web", version: "1.0.0", deps: { "@acme/cache": "^1.1.0" } }),
  );
  await seed(registry, writePlugin(dir, { name: "@acme/future", version: "1.0.0", kernel: "^0.9.0" }));
  // a plugin signed by its publisher, grace
  const token = await createRegistryClient({ registry: registry.url }).login(
    "grace",
    "a long password",
    "g@x.org",
  );
  const client = createRegistryClient({ registry: registry.url, token });
  const keys = generatePublisherKeys();
  publisherKeyId = await client.registerPublisherKey(keys.publicKey);
  const packed = packPlugin(writePlugin(dir, { name: "@grace/signed", version: "1.0.0" }));
  await client.publish(packed, { publisherSignature: signIntegrity(keys.privateKey, packed.integrity) });
}, 30_000);

/** A fresh folder holding a manifest with these plugins and policy, locked against the test registry. */
function project(plugins: Record<string, unknown>, policy?: Record<string, unknown>): string {
  const folder = join(workspace(), "distro");
  const manifest = {
    name: "edge",
    version: "1.0.0",
    kernel: "^0.1.0",
    registry: registry.url,
    plugins,
    policy,
  };
  Bun.spawnSync(["mkdir", "-p", folder]);
  writeFileSync(join(folder, "buntime.distro.json"), JSON.stringify(manifest));
  return folder;
}

const lockOf = (folder: string) => readFileSync(join(folder, "distro.lock.json"), "utf8");

describe("buntime distro lock", () => {
  it("pins every plugin and dependency to the newest version all its ranges allow, the same bytes every time", async () => {
    const folder = project({ "@acme/web": "^1", "@acme/cache": "^1.2.0", "@grace/signed": "1" });
    const first = await cli(["distro", "lock"], folder);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    const lock = JSON.parse(lockOf(folder));
    expect(Object.keys(lock.plugins)).toEqual(["@acme/cache", "@acme/web", "@grace/signed"]);
    expect(lock.plugins["@acme/cache"]).toMatchObject({
      version: "1.3.0",
      integrity: expect.stringMatching(/^sha512-/),
      signature: { keyid: lock.registryKeys[0].keyid },
      wantedBy: ["@acme/web@1.0.0", "buntime.distro.json"],
    });
    expect(lock.plugins["@grace/signed"].publisher).toMatchObject({ name: "grace", keyid: publisherKeyId });
    expect(lock.publisherKeys.grace[0].keyid).toBe(publisherKeyId);

    const bytes = lockOf(folder);
    rmSync(join(folder, "distro.lock.json"));
    expect((await cli(["distro", "lock"], folder)).code).toBe(0);
    expect(lockOf(folder)).toBe(bytes);
    const again = await cli(["distro", "lock"], folder);
    expect(again.stdout).toStartWith("unchanged");
  });

  it("prints one table of unsatisfiable ranges, naming the conflicting dependents and what is available, and writes nothing", async () => {
    const folder = project({ "@acme/web": "^1", "@acme/cache": "^2" });
    const run = await cli(["distro", "lock"], folder);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("BUNTIME_ERR_DISTRO_UNSATISFIABLE");
    const table = run.stderr.split("\n");
    expect(
      table.some((line) =>
        /^@acme\/cache\s+\^2\s+buntime\.distro\.json\s+2\.0\.0, 1\.3\.0, 1\.2\.0, 1\.0\.0$/.test(line),
      ),
    ).toBe(true);
    expect(table.some((line) => /^\s+\^1\.1\.0\s+@acme\/web@1\.0\.0$/.test(line))).toBe(true);
    expect(run.stderr).toContain(
      "@acme/cache: buntime.distro.json wants ^2 and @acme/web@1.0.0 wants ^1.1.0: no version is both",
    );
    expect(existsSync(join(folder, "distro.lock.json"))).toBe(false);
  });

  it("refuses a plugin no version of which runs on the distribution's kernel", async () => {
    const folder = project({ "@acme/future": "^1" });
    const run = await cli(["distro", "lock"], folder);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("@acme/future: none runs on kernel 0.1.0 (1.0.0 needs kernel ^0.9.0)");
    expect(existsSync(join(folder, "distro.lock.json"))).toBe(false);
  });

  it("enforces the policy: a publisher signature when required, and only the allowed publishers", async () => {
    const unsigned = project({ "@acme/cache": "^1" }, { signatures: "publisher" });
    const missing = await cli(["distro", "lock"], unsigned);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(
      "@acme/cache@1.3.0: no publisher signature, and the signature policy 'publisher' requires one [BUNTIME_ERR_SIGNATURE_MISSING]",
    );
    expect(existsSync(join(unsigned, "distro.lock.json"))).toBe(false);

    const allowed = project({ "@grace/signed": "^1" }, { signatures: "publisher", publishers: ["grace"] });
    expect((await cli(["distro", "lock"], allowed)).code).toBe(0);
    const other = project({ "@grace/signed": "^1" }, { signatures: "publisher", publishers: ["ada"] });
    const refused = await cli(["distro", "lock"], other);
    expect(refused.stderr).toContain(
      "@grace/signed@1.0.0 is signed by grace; the distribution allows only ada [BUNTIME_ERR_DISTRO_PUBLISHER_NOT_ALLOWED]",
    );
  });

  it("refuses a registry that now signs with another key than the lock pinned", async () => {
    const folder = project({ "@acme/cache": "^1" });
    expect((await cli(["distro", "lock"], folder)).code).toBe(0);
    const lock = JSON.parse(lockOf(folder));
    lock.registryKeys[0].key = lock.registryKeys[0].key.replace(/.{8}$/, "AAAAAAA=");
    writeFileSync(join(folder, "distro.lock.json"), JSON.stringify(lock));
    const run = await cli(["distro", "lock"], folder);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("BUNTIME_ERR_SIGNATURE_KEY_CHANGED");
  });
});
