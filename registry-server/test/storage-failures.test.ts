import { describe, expect, it } from "bun:test";
import { join } from "node:path";
import { createRegistryServer, openSqliteStorage, type RegistryStorage } from "@buntime/registry-server";
import type { LogFields, Logger } from "@buntime/sdk";
import { tempDir } from "./helpers/registry.ts";
import { packageTgz, publishBody } from "./helpers/tarball.ts";

/** A registry app over real storage where `sabotage` may make one store call fail. */
async function registryWith(sabotage: (storage: RegistryStorage) => RegistryStorage) {
  const storage = openSqliteStorage(join(tempDir(), "store"));
  const logged: { message: string; fields?: LogFields }[] = [];
  const logger: Logger = {
    namespace: "test",
    debug: () => {},
    info: () => {},
    warn: () => {},
    error: (message, fields) => logged.push({ message, fields }),
    child: () => logger,
  };
  const registry = await createRegistryServer({ storage: sabotage(storage), logger });
  const request = (method: string, path: string, body?: unknown, token?: string) =>
    registry.fetch(
      new Request(`http://registry.test${path}`, {
        method,
        body: body === undefined ? undefined : JSON.stringify(body),
        headers: {
          "content-type": "application/json",
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
      }),
    );
  const login = await request("PUT", "/-/user/org.couchdb.user:writer", {
    name: "writer",
    password: "long-password",
  });
  const { token } = (await login.json()) as { token: string };
  return { storage, registry, request, token, logged };
}

describe("storage failures during publish", () => {
  it("answers 500 STORAGE_FAILED and stores no metadata when the tarball cannot be written", async () => {
    const { storage, request, token, registry } = await registryWith((s) => ({
      metadata: s.metadata,
      blobs: { ...s.blobs, put: async () => Promise.reject(new Error("disk full")) },
    }));
    const res = await request(
      "PUT",
      "/doomed",
      publishBody("doomed", "1.0.0", packageTgz("doomed", "1.0.0")),
      token,
    );
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({
      error: {
        code: "BUNTIME_ERR_REGISTRY_STORAGE_FAILED",
        message: "registry storage failed: could not store the tarball of doomed@1.0.0",
      },
    });
    expect(await storage.metadata.getPackage("doomed")).toBeUndefined();
    await registry.close();
  });

  it("removes the written tarball again when the metadata commit fails", async () => {
    const { storage, request, token, registry, logged } = await registryWith((s) => ({
      metadata: { ...s.metadata, insertVersion: async () => Promise.reject(new Error("database gone")) },
      blobs: s.blobs,
    }));
    const res = await request(
      "PUT",
      "/half",
      publishBody("half", "1.0.0", packageTgz("half", "1.0.0")),
      token,
    );
    expect(res.status).toBe(500);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
      "BUNTIME_ERR_REGISTRY_INTERNAL",
    );
    expect(await storage.blobs.list()).toEqual([]);
    expect(logged).toEqual([
      { message: "request failed", fields: { method: "PUT", path: "/half", error: "Error: database gone" } },
    ]);
    await registry.close();
  });
});
