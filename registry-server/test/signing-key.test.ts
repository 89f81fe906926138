import { describe, expect, it } from "bun:test";
import { generateKeyPairSync } from "node:crypto";
import { chmodSync, chownSync, existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  createRegistryServer,
  openSqliteStorage,
  type RunningRegistry,
  runRegistryCommand,
  startRegistry,
} from "@buntime/registry-server";
import { isBuntimeError } from "@buntime/sdk";
import { keyIdOf } from "@buntime/supply";
import { tempDir } from "./helpers/registry.ts";

const keyIdServed = async (registry: RunningRegistry) => {
  const body = (await (await fetch(`${registry.url}-/npm/v1/keys`)).json()) as { keys: { keyid: string }[] };
  await registry.stop();
  return body.keys.map((key) => key.keyid);
};
const pemFile = (path: string, type: "ec" | "ed25519", mode = 0o600) => {
  const { privateKey, publicKey } =
    type === "ec" ? generateKeyPairSync("ec", { namedCurve: "prime256v1" }) : generateKeyPairSync("ed25519");
  writeFileSync(path, privateKey.export({ type: "pkcs8", format: "pem" }));
  chmodSync(path, mode);
  return keyIdOf(publicKey);
};

describe("the registry's signing key", () => {
  it("lives in a 0600 file in a 0700 folder of its own, not in the metadata store, and survives a restart", async () => {
    const storageDir = join(tempDir(), "store");
    const first = await keyIdServed(await startRegistry({ port: 0, storageDir }));
    const file = join(storageDir, "signing", "registry-key.pem");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(storageDir, "signing")).mode & 0o777).toBe(0o700);
    const storage = openSqliteStorage(storageDir);
    expect(await storage.metadata.settingOrInit("registry-signing-key", "none")).toBe("");
    const embedded = await createRegistryServer({ storage }).catch((e: unknown) => e);
    expect(isBuntimeError(embedded, "BUNTIME_ERR_REGISTRY_SIGNING_KEY_INVALID")).toBe(true);
    expect((embedded as Error).message).toContain("keeps its key in a file");
    await storage.metadata.close();
    await storage.blobs.close();
    expect(await keyIdServed(await startRegistry({ port: 0, storageDir }))).toEqual(first);
  });

  it("moves a key an older registry kept in the metadata store into the file, so its signatures still verify", async () => {
    const storageDir = join(tempDir(), "store");
    const older = await createRegistryServer({ storage: openSqliteStorage(storageDir) });
    const before = (await (await older.fetch(new Request("http://r/-/npm/v1/keys"))).json()) as {
      keys: { keyid: string }[];
    };
    await older.close();
    const after = await keyIdServed(await startRegistry({ port: 0, storageDir }));
    expect(after).toEqual(before.keys.map((key) => key.keyid));
    expect(existsSync(join(storageDir, "signing", "registry-key.pem"))).toBe(true);
  });

  it("is read from --signing-key when given, and nothing is written to the storage folder", async () => {
    const dir = tempDir();
    const keyid = pemFile(join(dir, "registry.pem"), "ec");
    const storage = join(dir, "store");
    const registry = await runRegistryCommand([
      "start",
      "--port",
      "0",
      "--storage",
      storage,
      "--signing-key",
      join(dir, "registry.pem"),
    ]);
    expect(await keyIdServed(registry)).toEqual([keyid]);
    expect(existsSync(join(storage, "signing"))).toBe(false);
  });

  const cases: [string, ((path: string) => unknown) | undefined, string][] = [
    ["a missing file", undefined, "no such file"],
    [
      "a file others may read",
      (path) => pemFile(path, "ec", 0o644),
      "group or others may access it (mode 0644); chmod 600 it",
    ],
    [
      "a file only its group may read",
      (path) => pemFile(path, "ec", 0o640),
      "group or others may access it (mode 0640); chmod 600 it",
    ],
    ["a key that is not ECDSA P-256", (path) => pemFile(path, "ed25519"), "not an ECDSA P-256 key"],
    [
      "a file that is not a key",
      (path) => writeFileSync(path, "junk", { mode: 0o600 }),
      "not a PEM private key",
    ],
  ];
  it.each(cases)(
    "refuses %s given with --signing-key, naming the file, and creates no key",
    async (_title, write, reason) => {
      const dir = tempDir();
      const path = join(dir, "key.pem");
      write?.(path);
      const error = await startRegistry({
        port: 0,
        storageDir: join(dir, "store"),
        signingKeyFile: path,
      }).catch((e: unknown) => e);
      expect(isBuntimeError(error, "BUNTIME_ERR_REGISTRY_SIGNING_KEY_INVALID")).toBe(true);
      expect((error as Error).message).toContain(`registry signing key ${path}: ${reason}`);
      expect(existsSync(join(dir, "store", "signing"))).toBe(false);
    },
  );

  it.skipIf(process.getuid?.() !== 0)("refuses a key file another user owns, even at mode 0600", async () => {
    const dir = tempDir();
    const path = join(dir, "key.pem");
    pemFile(path, "ec");
    chownSync(path, 65534, 65534); // nobody: only root can hand a file to another user
    const error = await startRegistry({
      port: 0,
      storageDir: join(dir, "store"),
      signingKeyFile: path,
    }).catch((e: unknown) => e);
    expect((error as Error).message).toBe(
      `registry signing key ${path}: it belongs to uid 65534, not to the registry's user (uid 0); chown it`,
    );
    expect(existsSync(join(dir, "store", "signing"))).toBe(false);
  });

  it("refuses to restart on its own key file once others may read it, and leaves the key as it was", async () => {
    const storageDir = tempDir();
    await (await startRegistry({ port: 0, storageDir })).stop();
    const path = join(storageDir, "signing", "registry-key.pem");
    const before = readFileSync(path, "utf8");
    chmodSync(path, 0o644);
    const error = await startRegistry({ port: 0, storageDir }).catch((e: unknown) => e);
    expect(isBuntimeError(error, "BUNTIME_ERR_REGISTRY_SIGNING_KEY_INVALID")).toBe(true);
    expect((error as Error).message).toContain("group or others may access it (mode 0644); chmod 600 it");
    expect(readFileSync(path, "utf8")).toBe(before);
  });

  it("is read from BUNTIME_REGISTRY_SIGNING_KEY when no file is given, as in the default distribution", async () => {
    const dir = tempDir();
    const keyid = pemFile(join(dir, "external.pem"), "ec");
    process.env.BUNTIME_REGISTRY_SIGNING_KEY = join(dir, "external.pem");
    try {
      const registry = await startRegistry({ port: 0, storageDir: join(dir, "store") });
      expect(await keyIdServed(registry)).toEqual([keyid]);
      expect(existsSync(join(dir, "store", "signing"))).toBe(false);
    } finally {
      delete process.env.BUNTIME_REGISTRY_SIGNING_KEY;
    }
  });
});
