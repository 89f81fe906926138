import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestKernel, type TestKernel } from "@buntime/kernel/testing";
import router from "@buntime/plugin-router";
import routerPackage from "@buntime/plugin-router/package.json" with { type: "json" };
import storage from "@buntime/plugin-storage";
import storagePackage from "@buntime/plugin-storage/package.json" with { type: "json" };
import { bundleApp } from "@buntime/test-kit/apps";
import { isolationTiers } from "@buntime/test-kit/system";

describe.each(isolationTiers())("@buntime/keyval from an app in the %s tier", (tier) => {
  let kernel: TestKernel;
  const home = mkdtempSync(join(tmpdir(), "buntime-keyval-e2e-"));
  chmodSync(home, 0o755);
  const call = async (path: string) => {
    const response = await fetch(new URL(`/kvapp${path}`, kernel.url));
    expect(response.status).toBe(200);
    return response.json();
  };

  beforeAll(async () => {
    await bundleApp(join(import.meta.dir, "fixtures", "keyval-app.ts"), join(home, "apps", "kvapp"));
    kernel = await createTestKernel({
      config: {
        home,
        isolation: { minimum: tier },
        plugins: { "@buntime/plugin-storage": { watchInterval: 20 } },
      },
      plugins: [
        { packageJson: routerPackage, plugin: router },
        { packageJson: storagePackage, plugin: storage },
      ],
      listen: true,
    });
  });
  afterAll(async () => {
    await kernel.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it("gets, sets with expiry, lists page by page and deletes", async () => {
    expect(await call("/basics")).toEqual({ role: "admin", keys: ["user/ada", "user/bob"], gone: null });
  });

  it("commits atomically: checks, sums that lose nothing, a stale check that changes nothing", async () => {
    expect(await call("/atomic")).toEqual({
      first: true,
      stale: { ok: false, key: "user/ada" },
      visits: 11,
      peak: 7,
    });
  });

  it("delivers queued messages to a listener", async () => {
    const { seen } = (await call("/queue")) as { seen: number[] };
    expect(seen.sort()).toEqual([1, 2, 3]);
  });

  it("watches a key: the current state, then the change", async () => {
    expect(await call("/watch")).toEqual({
      first: [{ key: "light", value: null, version: null }],
      second: [{ key: "light", value: "on", version: expect.any(String) }],
    });
  });

  it("is refused with a forged token, as a KvError with the code", async () => {
    expect(await call("/refused")).toEqual({ refused: true, code: "BUNTIME_ERR_STORAGE_APP_UNAUTHORIZED" });
  });
});
