/**
 * `distro build --image`: the OCI image of a build, made by `docker build` where a Docker daemon
 * answers, and a clear refusal (the build kept) where none does. The team's machines have no
 * daemon, so `docker` here is a stand-in script on the PATH that records how it was called and
 * checks the build context holds the Dockerfile and the SBOM.
 */
import { afterAll, describe, expect, it } from "bun:test";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cleanUp, cli, lockedOnePluginDistro } from "./support.ts";

afterAll(cleanUp);

/** A `docker` on a PATH of its own: `info` exits `infoCode`; `build` records its arguments and checks the context. */
function fakeDocker(dir: string, infoCode: number): { PATH: string; calls: string } {
  const bin = join(dir, "fake-bin");
  mkdirSync(bin, { recursive: true });
  const calls = join(dir, "docker-calls");
  writeFileSync(
    join(bin, "docker"),
    `#!/bin/sh
echo "$@" >> ${calls}
case "$1" in
  info) [ ${infoCode} = 0 ] && echo 28.2.2 || echo "Cannot connect to the Docker daemon at unix:///var/run/docker.sock" >&2; exit ${infoCode} ;;
  build) ctx="$5"; [ -f "$ctx/Dockerfile" ] && [ -f "$ctx/sbom.cdx.json" ] && [ -x "$ctx/start" ] || exit 3; echo sha256:feed ;;
esac
`,
  );
  chmodSync(join(bin, "docker"), 0o755);
  return { PATH: `${bin}:${process.env.PATH ?? ""}`, calls };
}

describe("buntime distro build --image", () => {
  it("builds the image with docker build when a daemon answers, tagged <name>:<version>", async () => {
    const folder = await lockedOnePluginDistro();
    const docker = fakeDocker(folder, 0);
    const run = await cli(["distro", "build", "--image", "--json"], folder, { PATH: docker.PATH });
    expect(run.stderr).toBe("");
    expect(JSON.parse(run.stdout).image).toEqual({ tag: "edge:1.0.0", id: "sha256:feed" });
    expect(readFileSync(docker.calls, "utf8")).toBe(
      `info --format {{.ServerVersion}}\nbuild --quiet -t edge:1.0.0 ${join(folder, "build")}\n`,
    );
  }, 60_000);

  it("refuses without a Docker daemon, saying so and what to run, and keeps the build", async () => {
    const folder = await lockedOnePluginDistro();
    const docker = fakeDocker(folder, 1);
    const run = await cli(["distro", "build", "--image"], folder, { PATH: docker.PATH });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      "could not build the image edge:1.0.0: no Docker daemon answered (Cannot connect",
    );
    expect(run.stderr).toContain(`run docker build -t edge:1.0.0 ${join(folder, "build")} where one does`);
    expect(run.stderr).toContain("[BUNTIME_ERR_DISTRO_IMAGE_FAILED]");
    expect(existsSync(join(folder, "build", "Dockerfile"))).toBe(true);
    const plain = await cli(["distro", "build", "--docker"], folder, { PATH: docker.PATH });
    expect(plain.stdout).toContain(
      `build its image with docker build -t edge:1.0.0 ${join(folder, "build")}`,
    );
  }, 60_000);
});
