/** A kernel for the app commands' tests: `buntime start` with only the router and deployments plugins. */
import { cpSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { untilListening } from "@buntime/test-kit/listening";

const REPO = join(import.meta.dir, "..", "..", "..", "..");
const CLI = join(REPO, "kernel", "cli", "bin", "buntime.ts");

/** `buntime start` on `home` with only the router and deployments plugins; stopped by the caller. */
export async function kernelWithDeployments(dir: string, home: string) {
  const plugins = join(dir, "kernel-plugins");
  mkdirSync(plugins);
  // copies, not links (plugin folders are real folders); they resolve packages through dir/node_modules
  for (const name of ["router", "deployments"])
    cpSync(join(REPO, "plugins", name), join(plugins, name), { recursive: true });
  const child = Bun.spawn(
    [
      process.execPath,
      CLI,
      "start",
      "--port",
      "0",
      "--hostname",
      "127.0.0.1",
      "--home",
      home,
      "--plugins",
      plugins,
    ],
    { cwd: dir, stdout: "pipe", stderr: "pipe", env: { PATH: process.env.PATH ?? "", HOME: dir } },
  );
  const stop = async () => {
    child.kill("SIGTERM");
    await child.exited;
  };
  try {
    return { url: (await untilListening(child.stdout)).url, stop };
  } catch (error) {
    await stop();
    throw new Error(`the kernel did not start: ${error}${await new Response(child.stderr).text()}`);
  }
}
