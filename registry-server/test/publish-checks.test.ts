import { afterAll, describe, expect, it } from "bun:test";
import { call, signUp, startTestRegistry } from "./helpers/registry.ts";
import { buildTgz, publishBody } from "./helpers/tarball.ts";

const registry = await startTestRegistry();
afterAll(() => registry.stop());
const token = await signUp(registry.base, "checker");

describe("a publish answers the automated checks' report", () => {
  it("names the manifest's state, the permissions and files that look like secrets or source maps", async () => {
    const pkg = {
      name: "checked",
      version: "1.0.0",
      buntime: {
        kernel: "^0.1.0",
        base: "/checked",
        permissions: { network: ["api.example.com"], env: ["TOKEN"] },
      },
    };
    const tarball = buildTgz([
      { path: "package/package.json", content: JSON.stringify(pkg) },
      { path: "package/index.js", content: "export default {};\n" },
      { path: "package/.env", content: "TOKEN=secret\n" },
      { path: "package/index.js.map", content: "{}" },
    ]);
    const published = await call(registry.base, "PUT", "/checked", {
      token,
      body: publishBody("checked", "1.0.0", tarball),
    });
    expect(published.status).toBe(201);
    expect(published.body.checks).toEqual({
      manifest: "valid",
      permissions: { network: ["api.example.com"], env: ["TOKEN"], storage: false },
      flagged: [
        ".env is packed: an environment file (often holds secrets)",
        "index.js.map is packed: a source map (it carries your source)",
      ],
      media: [],
    });
  });

  it("says a package without a manifest is not a plugin", async () => {
    const tarball = buildTgz([
      { path: "package/package.json", content: JSON.stringify({ name: "lib", version: "1.0.0" }) },
    ]);
    const published = await call(registry.base, "PUT", "/lib", {
      token,
      body: publishBody("lib", "1.0.0", tarball),
    });
    expect(published.body.checks).toEqual({
      manifest: "not a plugin",
      permissions: null,
      flagged: [],
      media: [],
    });
  });
});
