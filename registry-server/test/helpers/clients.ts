import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { CliResult } from "./npm.ts";

const ROOT = join(import.meta.dir, "..", "..", "..");

/** The package managers the registry is tested with, as installed in the root devDependencies. */
export const CLIENTS = {
  pnpm: [join(ROOT, "node_modules", ".bin", "pnpm")],
  yarnClassic: ["node", join(ROOT, "node_modules", "yarn", "bin", "yarn.js")],
  yarnBerry: ["node", join(ROOT, "node_modules", "@yarnpkg", "cli-dist", "bin", "yarn.js")],
} as const;

/**
 * Runs a package manager in `cwd` with its own HOME (so no user or machine config leaks in),
 * killed after 60 s.
 */
export async function runClient(command: readonly string[], cwd: string, home: string): Promise<CliResult> {
  mkdirSync(home, { recursive: true });
  const child = Bun.spawn([...command], {
    cwd,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: home,
      XDG_CONFIG_HOME: join(home, ".config"),
      XDG_CACHE_HOME: join(home, ".cache"),
      XDG_DATA_HOME: join(home, ".local", "share"),
      COREPACK_ENABLE_STRICT: "0",
      YARN_ENABLE_TELEMETRY: "0",
    },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const timer = setTimeout(() => child.kill(), 60_000);
  const [stdout, stderr, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  clearTimeout(timer);
  return { code, stdout, stderr };
}

/** A folder with `package.json` (and `index.js`), plus the given config files. */
export function writeProject(
  dir: string,
  manifest: Record<string, unknown>,
  files: Record<string, string> = {},
): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify(manifest, null, 2));
  writeFileSync(join(dir, "index.js"), `module.exports = ${JSON.stringify(manifest.name)};\n`);
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  return dir;
}

/** `//host:port/:_authToken=…`: the .npmrc line npm, pnpm and yarn 1 read a registry's token from. */
export function npmrcToken(registryUrl: string, token: string): string {
  return `${registryUrl.replace(/^https?:/, "")}:_authToken=${token}\n`;
}
