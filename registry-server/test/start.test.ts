import { afterAll, describe, expect, it } from "bun:test";
import { mkdirSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runRegistryCommand, startRegistry } from "@buntime/registry-server";
import { isBuntimeError } from "@buntime/sdk";
import { call, signUp, tempDir } from "./helpers/registry.ts";
import { packageTgz, publishBody } from "./helpers/tarball.ts";

describe("runRegistryCommand", () => {
  it("starts a registry from CLI arguments", async () => {
    const dir = tempDir();
    const registry = await runRegistryCommand(["start", "--port", "0", "--storage", join(dir, "store")]);
    afterAll(() => registry.stop());
    expect(registry.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const res = await fetch(`${registry.url}-/npm/v1/keys`);
    expect(res.status).toBe(200);
    expect(await Bun.file(join(dir, "store", "registry.db")).exists()).toBe(true);
  });

  it.each([
    [
      ["start", "--port", "99999"],
      "invalid registry settings: --port: Too big: expected number to be <=65535 (got 99999)",
    ],
    [["stop"], "unknown registry command stop (try: start)"],
  ])("refuses %p with a coded error", async (argv, message) => {
    const error = await runRegistryCommand(argv, {}).catch((e: unknown) => e);
    expect(isBuntimeError(error)).toBe(true);
    expect((error as Error).message).toBe(message);
  });
});

describe("crash consistency", () => {
  it("sweeps tarballs no version references at start and keeps the referenced ones", async () => {
    const storageDir = join(tempDir(), "store");
    const first = await startRegistry({ port: 0, storageDir });
    const base = first.url.replace(/\/$/, "");
    const token = await signUp(base, "keeper");
    await call(base, "PUT", "/kept", {
      token,
      body: publishBody("kept", "1.0.0", packageTgz("kept", "1.0.0")),
    });
    await first.stop();

    // What a crash between the blob write and the metadata commit leaves behind.
    const orphanDir = join(storageDir, "tarballs", "lost");
    mkdirSync(orphanDir, { recursive: true });
    const old = join(orphanDir, "1.0.0-crashed.tgz");
    const young = join(orphanDir, "1.0.1-in-flight.tgz");
    writeFileSync(old, "orphan");
    writeFileSync(young, "publish in flight on another node");
    const hourAgo = new Date(Date.now() - 3_600_000);
    utimesSync(old, hourAgo, hourAgo);

    const second = await startRegistry({ port: 0, storageDir });
    afterAll(() => second.stop());
    expect(await Bun.file(old).exists()).toBe(false);
    expect(await Bun.file(young).exists()).toBe(true);
    const tarball = await fetch(`${second.url}kept/-/kept-1.0.0.tgz`);
    expect(tarball.status).toBe(200);
  });
});
