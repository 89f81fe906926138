import { existsSync } from "node:fs";
import { join } from "node:path";
import { BuntimeError } from "@buntime/sdk";

/** How long `docker info` may take to say whether a daemon answers. */
const INFO_TIMEOUT_MS = 15_000;

/** The text a finished command printed, trimmed to its last lines (a build's log can be long). */
function tail(bytes: Uint8Array | undefined, lines = 15): string {
  return new TextDecoder()
    .decode(bytes ?? new Uint8Array())
    .trim()
    .split("\n")
    .slice(-lines)
    .join("\n");
}

/**
 * Builds the OCI image of a built distribution written with `docker` (its `Dockerfile`, which
 * copies the folder, SBOM included) with `docker build -t <tag> <dir>`: first asks the daemon
 * (`docker info`), so a machine without one gets `BUNTIME_ERR_DISTRO_IMAGE_FAILED` saying so, and
 * the command to run where there is one. Answers the image id `docker` printed.
 */
export function buildImage(dir: string, tag: string, docker = "docker"): string {
  const failed = (details: string) =>
    new BuntimeError("BUNTIME_ERR_DISTRO_IMAGE_FAILED", { image: tag, details });
  if (!existsSync(join(dir, "Dockerfile"))) throw failed(`${dir} has no Dockerfile`);
  let info: ReturnType<typeof Bun.spawnSync>;
  try {
    info = Bun.spawnSync([docker, "info", "--format", "{{.ServerVersion}}"], {
      stdout: "pipe",
      stderr: "pipe",
      timeout: INFO_TIMEOUT_MS,
    });
  } catch (error) {
    throw failed(
      `no ${docker} command (${(error as Error).message}); run docker build -t ${tag} ${dir} where Docker is`,
    );
  }
  if (info.exitCode !== 0) {
    throw failed(
      `no Docker daemon answered (${tail(info.stderr, 1) || `docker info exited ${info.exitCode}`}); run docker build -t ${tag} ${dir} where one does`,
    );
  }
  const build = Bun.spawnSync([docker, "build", "--quiet", "-t", tag, dir], {
    stdout: "pipe",
    stderr: "pipe",
  });
  if (build.exitCode !== 0) throw failed(`docker build exited ${build.exitCode}:\n${tail(build.stderr)}`);
  return tail(build.stdout, 1);
}
