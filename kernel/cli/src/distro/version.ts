import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { BUILD_FILES } from "@buntime/distro";
import { KERNEL_VERSION } from "@buntime/kernel";

/** This CLI's package folder: `kernel/cli` in the repository, `<build>/node_modules/@buntime/cli` in a build. */
const CLI_DIR = resolve(import.meta.dir, "..", "..");

/** The built distribution this CLI was copied into as its runner, if any. */
function buildOfThisCli(): string | undefined {
  const modules = dirname(dirname(CLI_DIR));
  if (basename(modules) !== "node_modules") return undefined;
  const build = dirname(modules);
  return existsSync(join(build, BUILD_FILES.provenance)) ? build : undefined;
}

/**
 * `buntime version` and `buntime --version`: the kernel version, then, when this CLI is the
 * runner of a built distribution, that build's provenance (`build.json`).
 */
export async function runVersion(): Promise<number> {
  const build = buildOfThisCli();
  const provenance = build ? readFileSync(join(build, BUILD_FILES.provenance), "utf8") : "";
  process.stdout.write(`${KERNEL_VERSION}\n${provenance}`);
  return 0;
}
