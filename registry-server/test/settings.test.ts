import { afterAll, describe, expect, it } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  loadRegistrySettings,
  registrySettingsJsonSchema,
  runRegistryCommand,
  signUpOpenByDefault,
  startRegistry,
} from "@buntime/registry-server";
import { isBuntimeError } from "@buntime/sdk";
import { call, tempDir } from "./helpers/registry.ts";

const SCHEMA_FILE = join(import.meta.dir, "..", "registry-settings.schema.json");

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(isBuntimeError(error, "BUNTIME_ERR_REGISTRY_SETTINGS_INVALID")).toBe(true);
    return (error as Error).message;
  }
  throw new Error("expected a refusal");
}

describe("registry settings", () => {
  it("ships the JSON Schema that z.toJSONSchema makes from the zod schema", () => {
    // After changing src/config/schema.ts: bun registry-server/src/config/write-schema.ts
    expect(JSON.parse(readFileSync(SCHEMA_FILE, "utf8"))).toEqual(registrySettingsJsonSchema());
  });

  it("reads a config file (with $schema), then BUNTIME_REGISTRY_* variables, then flags, each overriding", () => {
    const dir = tempDir();
    const file = join(dir, "registry.json");
    writeFileSync(
      file,
      JSON.stringify({
        $schema: "./registry-settings.schema.json",
        port: 5000,
        host: "0.0.0.0",
        storage: "data",
        signUp: "open",
        publicUrl: "https://npm.example.com/",
        uplinks: [{ url: "https://registry.npmjs.org/", maxAgeSeconds: 60, tokenEnv: "NPM_UPLINK_TOKEN" }],
        advisories: "advisories.json",
        s3: { bucket: "tarballs", region: "eu-west-1" },
        postgres: "postgres://registry@db/registry",
      }),
    );
    const env = {
      BUNTIME_REGISTRY_CONFIG: file,
      BUNTIME_REGISTRY_PORT: "6000",
      BUNTIME_REGISTRY_SIGN_UP: "closed",
    };
    const { command, settings } = loadRegistrySettings(
      ["start", "--port", "7000", "--s3-endpoint", "http://s3.local:9000"],
      env,
    );
    expect(command).toBe("start");
    expect(settings).toEqual({
      $schema: "./registry-settings.schema.json",
      port: 7000,
      host: "0.0.0.0",
      storage: join(dir, "data"),
      signUp: "closed",
      publicUrl: "https://npm.example.com/",
      uplinks: [{ url: "https://registry.npmjs.org/", maxAgeSeconds: 60, tokenEnv: "NPM_UPLINK_TOKEN" }],
      advisories: join(dir, "advisories.json"),
      s3: { bucket: "tarballs", region: "eu-west-1", endpoint: "http://s3.local:9000" },
      postgres: "postgres://registry@db/registry",
    });
    const uplinks = loadRegistrySettings(["--uplink", "http://a.test/", "--uplink", "http://b.test/"], {
      BUNTIME_REGISTRY_UPLINKS: "http://env.test/",
      BUNTIME_REGISTRY_UPLINK_MAX_AGE: "30",
    }).settings.uplinks;
    expect(uplinks).toEqual([{ url: "http://a.test/" }, { url: "http://b.test/" }]);
    const fromEnv = loadRegistrySettings([], {
      BUNTIME_REGISTRY_UPLINKS: "http://env.test/, http://two.test/",
    });
    expect(fromEnv.settings.uplinks).toEqual([{ url: "http://env.test/" }, { url: "http://two.test/" }]);
  });

  it("names each bad value where it was written, and changes nothing", () => {
    expect(refusal(() => loadRegistrySettings(["--port", "abc"], {}))).toBe(
      'invalid registry settings: --port: Invalid input: expected number, received string (got "abc")',
    );
    expect(refusal(() => loadRegistrySettings([], { BUNTIME_REGISTRY_SIGN_UP: "maybe" }))).toBe(
      'invalid registry settings: BUNTIME_REGISTRY_SIGN_UP: Invalid option: expected one of "open"|"closed" (got "maybe")',
    );
    expect(refusal(() => loadRegistrySettings(["--uplink", "ftp://mirror"], {}))).toBe(
      'invalid registry settings: --uplink: expected an http(s) URL (got "ftp://mirror")',
    );
    // a database URL may hold a password: it is never echoed
    expect(
      refusal(() => loadRegistrySettings(["--postgres", "mysql://registry:hunter2@db/registry"], {})),
    ).toBe("invalid registry settings: --postgres: expected a postgres:// URL");
    expect(refusal(() => loadRegistrySettings(["--bogus"], {}))).toStartWith(
      "invalid registry settings: Unknown option '--bogus'",
    );
    const dir = tempDir();
    const file = join(dir, "bad.json");
    writeFileSync(
      file,
      JSON.stringify({ uplinks: [{ url: "https://ok.test", maxAgeSeconds: -1 }], colour: "red" }),
    );
    expect(refusal(() => loadRegistrySettings(["--config", file], {}))).toBe(
      `invalid registry settings: ${file}: uplinks[0].maxAgeSeconds: Too small: expected number to be >=0 (got -1); ${file}: Unrecognized key: "colour"`,
    );
    expect(refusal(() => loadRegistrySettings(["--config", join(dir, "none.json")], {}))).toBe(
      `invalid registry settings: config file ${join(dir, "none.json")}: no such file`,
    );
    writeFileSync(file, "{ port: 1 }");
    expect(refusal(() => loadRegistrySettings(["--config", file], {}))).toStartWith(
      `invalid registry settings: config file ${file}: not JSON:`,
    );
    expect(refusal(() => loadRegistrySettings(["--s3-bucket", "b"], {}))).toStartWith(
      "invalid registry settings: s3 needs postgres for the metadata",
    );
    const noBucket = ["--postgres", "postgres://db/registry", "--s3-endpoint", "http://s3.local"];
    expect(refusal(() => loadRegistrySettings(noBucket, {}))).toBe(
      "invalid registry settings: s3 needs a bucket (--s3-bucket)",
    );
  });

  it("refuses an uplink whose token variable is not set, before it listens", async () => {
    const dir = tempDir();
    const file = join(dir, "registry.json");
    writeFileSync(
      file,
      JSON.stringify({ uplinks: [{ url: "https://registry.npmjs.org/", tokenEnv: "NO_SUCH_TOKEN" }] }),
    );
    const error = await runRegistryCommand(["start", "--config", file, "--port", "0"], {}).catch(
      (e: unknown) => e,
    );
    expect((error as Error).message).toBe(
      "invalid registry settings: uplinks[0].tokenEnv: the variable NO_SUCH_TOKEN is not set",
    );
  });

  it("closes sign-up when asked and opens it by default only on a loopback host", async () => {
    const dir = tempDir();
    const closed = await runRegistryCommand(
      ["start", "--port", "0", "--storage", join(dir, "a"), "--sign-up", "closed"],
      {},
    );
    afterAll(() => closed.stop());
    const body = { name: "eve", password: "long-enough-pw" };
    const refused = await call(closed.url.replace(/\/$/, ""), "PUT", "/-/user/org.couchdb.user:eve", {
      body,
    });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe("BUNTIME_ERR_REGISTRY_REGISTRATION_CLOSED");
    const loopback = await startRegistry({ port: 0, hostname: "127.0.0.1", storageDir: join(dir, "b") });
    afterAll(() => loopback.stop());
    const opened = await call(loopback.url.replace(/\/$/, ""), "PUT", "/-/user/org.couchdb.user:eve", {
      body,
    });
    expect(opened.status).toBe(201);
    expect(["127.0.0.1", "127.8.9.1", "::1", "localhost"].map(signUpOpenByDefault)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(["0.0.0.0", "::", "10.0.0.5", "registry.example.com"].map(signUpOpenByDefault)).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });
});
