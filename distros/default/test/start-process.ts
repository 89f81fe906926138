/** `npm start`'s script run as a user runs it, on a home of the test's: the tests' one way to start it. */
import { join } from "node:path";

const START = join(import.meta.dir, "..", "src", "start.ts");

/** Starts the default distribution on `home` (free ports, loopback), with `env` besides PATH and HOME. */
export function startDistribution(home: string, env: Record<string, string> = {}) {
  return Bun.spawn(
    [
      process.execPath,
      START,
      "--port",
      "0",
      "--hostname",
      "127.0.0.1",
      "--home",
      home,
      "--registry-port",
      "0",
    ],
    { cwd: home, stdout: "pipe", stderr: "pipe", env: { PATH: process.env.PATH ?? "", HOME: home, ...env } },
  );
}
