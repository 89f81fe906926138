import { afterAll, describe, expect, it } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { cleanUp, cli, lockedOnePluginDistro } from "./support.ts";

afterAll(cleanUp);

// The chart itself (values schema, rendered manifests against the Kubernetes schemas) is
// tested in kernel/distro/test/helm.test.ts; this is the command.
describe("buntime distro build --helm", () => {
  it("writes the chart beside a Dockerfile, says so, and refuses a build without the runner", async () => {
    const folder = await lockedOnePluginDistro("2.0.0");

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
