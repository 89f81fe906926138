import { afterAll, describe, expect, it } from "bun:test";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cleanUp, cli, liveRegistry, seed, workspace, writePlugin } from "./support.ts";

afterAll(cleanUp);

// The chart itself (values schema, rendered manifests against the Kubernetes schemas) is
// tested in kernel/distro/test/helm.test.ts; this is the command.
describe("buntime distro build --helm", () => {
  it("writes the chart beside a Dockerfile, says so, and refuses a build without the runner", async () => {
    const dir = workspace();
    const registry = await liveRegistry(dir);
    await seed(registry, writePlugin(dir, { name: "@acme/hello", version: "1.0.0" }));
    const folder = join(dir, "edge");
    mkdirSync(folder);
    const manifest = {
      name: "edge",
      version: "2.0.0",
      registry: registry.url,
      plugins: { "@acme/hello": "^1" },
    };
    writeFileSync(join(folder, "buntime.distro.json"), JSON.stringify(manifest));
    expect((await cli(["distro", "lock"], folder)).code).toBe(0);

    const refused = await cli(["distro", "build", "--helm", "--without-runner"], folder);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("--helm needs the runner: drop --without-runner");

    const run = await cli(["distro", "build", "--helm"], folder);
    expect(run.stderr).toBe("");
    expect(run.stdout).toContain(`Helm chart in ${join(folder, "build", "helm")}`);
    expect(run.stdout).not.toContain("was derived from the manifest");
    const chart = readFileSync(join(folder, "build", "helm", "Chart.yaml"), "utf8");
    expect(chart).toContain("name: edge\n");
    expect(existsSync(join(folder, "build", "Dockerfile"))).toBe(true);
    expect(readFileSync(join(folder, "build", ".dockerignore"), "utf8")).toContain("helm\n");
    const schema = JSON.parse(readFileSync(join(folder, "build", "helm", "values.schema.json"), "utf8"));
    expect(schema.properties.plugins.properties["@acme/hello"]).toEqual({
      type: "object",
      description: "this plugin declares no settings",
    });
  }, 120_000);
});
