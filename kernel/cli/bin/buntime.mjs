#!/usr/bin/env node
/**
 * The `buntime` command as npm installs it (`npx @buntime/cli`, `npm install -g @buntime/cli`):
 * the CLI is TypeScript for Bun, and this launcher runs it on the Bun that came with the package
 * (its `bun` peer dependency, which npm, pnpm and bun install by themselves), so a machine with
 * only Node needs nothing else. Run by Bun itself, it runs the CLI in the same process.
 */
import { spawn } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const entry = join(here, "buntime.ts");

/** A file that is the bun executable rather than the placeholder npm installs before bun's postinstall runs. */
function isBinary(path) {
  try {
    return statSync(path).size > 1024 * 1024;
  } catch {
    return false;
  }
}

/**
 * The bun executable: the `bun` package's (its postinstall puts the binary there), else the
 * platform package it depends on (when install scripts did not run), else `bun` on the PATH.
 */
function findBun() {
  const require = createRequire(join(here, "..", "package.json"));
  const candidates = [];
  try {
    const bunDir = dirname(require.resolve("bun/package.json"));
    candidates.push(join(bunDir, "bin", "bun.exe"));
    const fromBun = createRequire(join(bunDir, "package.json"));
    const os = process.platform === "win32" ? "windows" : process.platform;
    const arch = process.arch === "arm64" ? "aarch64" : process.arch;
    for (const suffix of ["", "-baseline", "-musl", "-musl-baseline"]) {
      try {
        const platformDir = dirname(fromBun.resolve(`@oven/bun-${os}-${arch}${suffix}/package.json`));
        candidates.push(join(platformDir, "bin", process.platform === "win32" ? "bun.exe" : "bun"));
      } catch {
        // not this platform's package
      }
    }
  } catch {
    // no bun package next to the CLI: try the PATH
  }
  return candidates.find((path) => existsSync(path) && isBinary(path)) ?? "bun";
}

if (process.versions.bun) {
  const { main } = await import("../src/main.ts");
  process.exit(await main(process.argv.slice(2)));
} else {
  const bun = findBun();
  const child = spawn(bun, [entry, ...process.argv.slice(2)], { stdio: "inherit" });
  // a signal for this launcher (kill, a service manager) is for the CLI it runs
  const forward = (signal) => child.kill(signal);
  const signals = ["SIGINT", "SIGTERM", "SIGHUP"];
  for (const signal of signals) process.on(signal, forward);
  child.on("error", (error) => {
    process.stderr.write(
      `buntime: cannot run Bun (${bun}): ${error.message} [BUNTIME_ERR_CLI_NO_BUN]\n` +
        "  hint: install its peer dependency beside it (npm installs it by itself; yarn 1 and --legacy-peer-deps do not): npm install -g bun, or see https://bun.sh\n",
    );
    process.exit(1);
  });
  child.on("exit", (code, signal) => {
    for (const name of signals) process.off(name, forward);
    // die of the same signal, so the caller sees what the CLI saw
    if (signal) process.kill(process.pid, signal);
    else process.exit(code ?? 1);
  });
}
