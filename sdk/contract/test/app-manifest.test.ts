/** The `buntime.app` manifest of an app package, and an installed package resolved by it. */
import { afterAll, describe, expect, it } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { APP_ENV_FILE, parseAppManifest, resolveApp } from "../src/index.ts";

const root = mkdtempSync(join(tmpdir(), "buntime-manifest-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function appPackage(name: string, app: unknown, files: Record<string, string> = {}): string {
  const dir = join(root, name);
  mkdirSync(join(dir, "src"), { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name, version: "1.2.3", buntime: { app } }));
  writeFileSync(join(dir, "src", "main.ts"), "export default { fetch: () => new Response('ok') };");
  for (const [path, text] of Object.entries(files)) writeFileSync(join(dir, path), text);
  return dir;
}

describe("the buntime.app manifest", () => {
  it("validates entry, limits, visibility, isolation and env names, converting units", () => {
    const manifest = parseAppManifest(
      {
        entry: "src/main.ts",
        ttl: "30s",
        maxMemory: "64mb",
        visibility: "protected",
        env: ["API_URL"],
        isolation: "process",
      },
      "shop@1.0.0",
    );
    expect(manifest).toMatchObject({
      entry: "src/main.ts",
      ttl: 30_000,
      maxMemory: 64 * 1024 ** 2,
      env: ["API_URL"],
    });
  });

  it("refuses an entry outside the package, a bad env name and unknown fields, naming each", () => {
    expect(() => parseAppManifest({ entry: "../../etc/passwd" }, "shop@1.0.0")).toThrow(
      /entry.*inside the package/,
    );
    expect(() => parseAppManifest({ entry: "/abs.ts" }, "shop@1.0.0")).toThrow(/entry/);
    expect(() => parseAppManifest({ env: ["not-a-name"] }, "shop@1.0.0")).toThrow(/env.*variable name/);
    expect(() => parseAppManifest({ ttl: "forever" }, "shop@1.0.0")).toThrow(/ttl/);
    expect(() => parseAppManifest({ colour: "red" }, "shop@1.0.0")).toThrow(/unknown field "colour"/);
  });

  it("resolves an installed package: its entry, and env values from the deploy's .env.json", async () => {
    const dir = appPackage(
      "shop",
      { entry: "src/main.ts", env: ["API_URL"], ttl: 0 },
      {
        [APP_ENV_FILE]: JSON.stringify({ API_URL: "http://api.test", OTHER: "not declared" }),
      },
    );
    const app = await resolveApp(dir);
    expect(app).toMatchObject({ name: "shop", version: "1.2.3", entry: join(dir, "src", "main.ts"), ttl: 0 });
    expect(app.env).toEqual({ API_URL: "http://api.test" });
  });

  it("refuses an installed package whose declared env has no value, naming the variable", async () => {
    const dir = appPackage("needs-env", { entry: "src/main.ts", env: ["SECRET_KEY"] });
    expect(resolveApp(dir)).rejects.toThrow(/SECRET_KEY.*no value/);
  });
});
