import { renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import {
  archiveBuild,
  buildDistribution,
  buildImage,
  cachedTarballs,
  imageNameOf,
  readLock,
  readManifest,
} from "@buntime/distro";
import { BuntimeError } from "@buntime/sdk";
import { parseCommand } from "../common/args.ts";
import { cliContext } from "../common/context.ts";
import { undoIfInterrupted } from "../common/interrupt.ts";
import { runCommand } from "../common/output.ts";
import { settingsDir } from "../common/settings.ts";
import { DISTRO_OPTIONS, lockPathOf, manifestPathOf } from "./common.ts";

/** The `--help` text of `buntime distro build`. */
export const BUILD_HELP = `Usage: buntime distro build [options]

Builds the locked distribution into a self-contained folder: every plugin's tarball (from the
tarball cache, else the lock's registry) is checked against the lock's sha512 integrity and its
signatures against the lock's keys, then extracted; registry apps the same way (into
home/apps/<app>/<version>), local apps copied, the plugins' settings, a copy
of the Buntime CLI and kernel with every dependency (node_modules), provenance (build.json) and
a start script are added. It is built beside the output and renamed into place when complete:
a failed or interrupted build leaves the previous one (or nothing). Two builds of one lock give
the same bytes (fixed modes, mtime SOURCE_DATE_EPOCH or 1980-01-01).

Run it with ./<out>/start (Bun on the PATH), or buntime start --distro <out>.

Options:
  -f, --file <path>     manifest (default ./buntime.distro.json; its distro.lock.json beside it)
  --out <dir>           output folder (default ./build beside the manifest)
  --registry <url>      where to fetch tarballs missing from the cache (default: the lock's registry)
  --offline             use the tarball cache only
  --without-runner      do not copy the CLI and kernel: the start script runs buntime from the PATH
  --tarball             also write <out>.tar.gz (the same bytes for the same build)
  --docker              also write a Dockerfile (Bun's image, ./start on 0.0.0.0:8000) and sbom.cdx.json
  --image               also build the OCI image <name>:<version> with docker build (implies --docker;
                        needs a Docker daemon, else it fails saying so, the build kept)
  --helm                also write a Helm chart of that image into <out>/helm (implies --docker): values
                        checked by values.schema.json (each plugin's settings schema), health probes,
                        a drain deadline from shutdownTimeout, a PodDisruptionBudget above one replica
  --json                print the result as JSON
`;

/** The folder of this CLI's package, copied into a build as its runner. */
const CLI_DIR = resolve(import.meta.dir, "..", "..");

/** `buntime distro build`. */
export async function runBuild(args: string[]): Promise<number> {
  const { values } = parseCommand(args, {
    ...DISTRO_OPTIONS,
    out: { type: "string" },
    registry: { type: "string" },
    offline: { type: "boolean" },
    "without-runner": { type: "boolean" },
    tarball: { type: "boolean" },
    docker: { type: "boolean" },
    helm: { type: "boolean" },
    image: { type: "boolean" },
  });
  return runCommand("distro build", values, BUILD_HELP, async (out) => {
    const manifestPath = manifestPathOf(values);
    const manifest = readManifest(manifestPath);
    const lockPath = lockPathOf(manifestPath);
    const lock = readLock(lockPath);
    const docker = values.docker || values.helm || values.image;
    if (docker && values["without-runner"])
      throw new BuntimeError("BUNTIME_ERR_CLI_USAGE", {
        details: `--${values.helm ? "helm" : values.image ? "image" : "docker"} needs the runner: drop --without-runner`,
      });
    if (values.offline && values.registry)
      throw new BuntimeError("BUNTIME_ERR_CLI_USAGE", { details: "--offline takes no --registry" });
    const client = values.offline
      ? undefined
      : cliContext({ registry: values.registry ?? lock.registry }).client;
    const cli = JSON.parse(await Bun.file(join(CLI_DIR, "package.json")).text()) as {
      name: string;
      version: string;
    };
    let forget = () => {};
    const result = await buildDistribution({
      manifest,
      manifestPath,
      lock,
      lockPath,
      out: resolve(values.out ?? join(dirname(manifestPath), "build")),
      tarballs: cachedTarballs(join(settingsDir(), "tarballs"), client),
      builder: `${cli.name} ${cli.version}`,
      runner: values["without-runner"]
        ? undefined
        : {
            roots: [{ name: cli.name, from: CLI_DIR }],
            bin: `${cli.name}/bin/buntime.ts`,
            resolveFrom: CLI_DIR,
          },
      docker: docker ? { bunVersion: Bun.version } : undefined,
      helm: values.helm,
      onStaging: (stage) => {
        forget = undoIfInterrupted(() => rmSync(stage, { recursive: true, force: true }));
      },
    }).finally(() => forget());
    const tarball = values.tarball ? `${result.out}.tar.gz` : undefined;
    if (tarball) {
      writeFileSync(`${tarball}.tmp`, archiveBuild(result.out));
      renameSync(`${tarball}.tmp`, tarball);
    }
    const names = [
      ...result.plugins.map((p) => `  ${p.name}@${p.version}`),
      ...result.apps.map((a) => `  app ${a.name}@${a.version}`),
    ].join("\n");
    const archived = tarball ? `\narchived as ${tarball}` : "";
    const derived = Object.entries(result.derivedSchemas ?? {}).map(
      ([name, why]) => `\nhelm: the settings schema of ${name} was derived from the manifest (${why})`,
    );
    const chart = values.helm ? `\nHelm chart in ${join(result.out, "helm")}${derived.join("")}` : "";
    const tag = `${imageNameOf(lock.name)}:${lock.version}`;
    const image = values.image ? { tag, id: buildImage(result.out, tag) } : undefined;
    const imageLine = image
      ? `\nimage ${image.tag} (${image.id})`
      : docker
        ? `\nbuild its image with docker build -t ${tag} ${result.out} (or --image)`
        : "";
    out.result(
      { ...result, tarball, image },
      `built ${result.out} (${result.files} files)${archived}${chart}${imageLine}\n${names}\nstart it with ${join(result.out, "start")}`,
    );
    return 0;
  });
}
