/** A deployed app's console line in the logs plugin, labelled with app, version and the request id its client got. */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createTestKernel, type TestKernel } from "@buntime/kernel/testing";
import logs from "@buntime/plugin-logs";
import logsPackage from "@buntime/plugin-logs/package.json" with { type: "json" };
import router from "@buntime/plugin-router";
import routerPackage from "@buntime/plugin-router/package.json" with { type: "json" };
import { appFolder, tarballOf, until } from "./support.ts";

describe("a deployed app's output in the logs plugin", () => {
  let kernel: TestKernel;
  beforeAll(async () => {
    kernel = await createTestKernel({
      plugins: [
        { packageJson: routerPackage, plugin: router },
        { packageJson: logsPackage, plugin: logs },
        join(import.meta.dir, ".."),
      ],
    });
  });
  afterAll(() => kernel?.stop());

  it("shows the app's console line with app, version and request id", async () => {
    const token = readFileSync(join(kernel.home, "admin-token"), "utf8").trim();
    const folder = appFolder("talker", "1.4.0", "ok");
    const index = join(folder, "index.ts");
    await Bun.write(
      index,
      `export default { fetch: () => { console.warn("talker was called"); return new Response("ok"); } };`,
    );
    const deployed = await kernel.fetch("/deployments/api/apps", {
      method: "POST",
      body: tarballOf(folder),
      headers: { authorization: `Bearer ${token}`, "content-type": "application/gzip" },
    });
    expect(deployed.status).toBe(201);
    let requestId = "";
    expect(
      await until(async () => {
        const response = await kernel.fetch("/talker/");
        requestId = response.headers.get("x-request-id") ?? "";
        return (await response.text()) === "ok";
      }),
    ).toBe(true);
    type Line = { level: string; namespace: string; message: string; fields: Record<string, unknown> };
    const found = async () => {
      const response = await kernel.fetch(
        `/logs/api/logs?app=talker&q=${encodeURIComponent("talker was called")}`,
        {
          headers: { authorization: `Bearer ${token}` },
        },
      );
      const { entries } = (await response.json()) as { entries: Line[] };
      return entries.find((line) => line.fields.requestId === requestId);
    };
    expect(await until(async () => (await found()) !== undefined)).toBe(true);
    expect(await found()).toMatchObject({
      level: "warn",
      namespace: "app:talker",
      message: "talker was called",
      fields: { app: "talker", version: "1.4.0", requestId },
    });
  });
});
