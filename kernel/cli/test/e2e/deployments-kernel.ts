/** A kernel for the app commands' tests: `buntime start` with only the router and deployments plugins. */
import { cpSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { runningKernel } from "./support.ts";

const REPO = join(import.meta.dir, "..", "..", "..", "..");

/** `buntime start` on `home` with only the router and deployments plugins (stopped by the caller, or after the file). */
export async function kernelWithDeployments(dir: string, home: string) {
  const plugins = join(dir, "kernel-plugins");
  mkdirSync(plugins);
  // copies, not links (plugin folders are real folders); they resolve packages through dir/node_modules
  for (const name of ["router", "deployments"])
    cpSync(join(REPO, "plugins", name), join(plugins, name), { recursive: true });
  return runningKernel(home, dir, {}, plugins);
}
