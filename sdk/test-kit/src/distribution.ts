/**
 * `npm start`'s script (the default distribution) run as a user runs it, on a home of the
 * caller's: the one way tests and benches start it. Found by path, not imported, so test-kit
 * keeps depending on @buntime/sdk alone.
 */
import { join } from "node:path";

const START = join(import.meta.dir, "..", "..", "..", "distros", "default", "src", "start.ts");

/**
 * Starts the default distribution on `home` (kernel and registry on free loopback ports), with
 * only PATH, HOME and `env` in its environment. Its stdout announces `listening on <url>`
 * (`untilListening`); stderr is piped unless `stderr: "ignore"`.
 */
export function startDefaultDistribution(
  home: string,
  env: Record<string, string> = {},
  options: { stderr?: "pipe" | "ignore" } = {},
) {
  const args = ["--port", "0", "--hostname", "127.0.0.1", "--home", home, "--registry-port", "0"];
  return Bun.spawn([process.execPath, START, ...args], {
    cwd: home,
    stdout: "pipe",
    stderr: options.stderr ?? "pipe",
    env: { PATH: process.env.PATH ?? "", HOME: home, ...env },
  });
}
