/**
 * Registry tokens from `.npmrc` files, read as npm and bun read them: `//host[:port]/path/:_authToken=…`
 * lines, matched against the registry URL and then each parent path, with `${VAR}` taken from the
 * environment; the project's file (next to the nearest package.json) before the user's.
 */
import { existsSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { BuntimeError } from "@buntime/sdk";

/** Where to look: the folder a command runs in and the environment (for `HOME`, `NPM_CONFIG_USERCONFIG`, `${VAR}`). */
export interface NpmrcOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
}

/** A token found in an `.npmrc`, with the file it came from. */
export interface NpmrcToken {
  token: string;
  source: string;
}

/** npm's project folder: the nearest one up from `cwd` with a package.json or node_modules, else `cwd`. */
function projectFolder(cwd: string): string {
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json")) || existsSync(join(dir, "node_modules"))) return dir;
    if (dirname(dir) === dir) return resolve(cwd);
  }
}

/** The `.npmrc` files npm reads for a command run in `cwd`, the one that wins first: project, then user. */
export function npmrcFiles(options: NpmrcOptions = {}): string[] {
  const env = options.env ?? process.env;
  const user =
    env.NPM_CONFIG_USERCONFIG ?? env.npm_config_userconfig ?? join(env.HOME ?? homedir(), ".npmrc");
  const project = join(projectFolder(options.cwd ?? process.cwd()), ".npmrc");
  return project === resolve(user) ? [project] : [project, resolve(user)];
}

/** `//host[:port]/path/` of a registry URL and of each parent path, the longest first (npm's "nerf darts"). */
export function registryKeys(registry: string): string[] {
  const url = new URL(registry);
  const segments = url.pathname.split("/").filter(Boolean);
  const keys: string[] = [];
  for (let n = segments.length; n >= 0; n--) {
    const path = n === 0 ? "/" : `/${segments.slice(0, n).join("/")}/`;
    keys.push(`//${url.host}${path}`);
  }
  return keys;
}

/** The key-value lines of an ini file; comments (`;`, `#`) and sections dropped, quoted values unquoted. */
function entries(text: string): { key: string; value: string; line: number }[] {
  const found: { key: string; value: string; line: number }[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (!line || line.startsWith(";") || line.startsWith("#") || line.startsWith("[")) return;
    const equals = line.indexOf("=");
    if (equals === -1) return;
    let value = line.slice(equals + 1).trim();
    if (/^(".*"|'.*')$/.test(value)) value = value.slice(1, -1);
    found.push({ key: line.slice(0, equals).trim(), value, line: index + 1 });
  });
  return found;
}

/** `${VAR}` and `${VAR?}`, after any backslashes that may escape them. */
const REFERENCE = /(\\*)\$\{([^}?]+)(\?)?\}/g;

/**
 * A key with its `${VAR}`s replaced where the variable is set (npm expands keys too); one with an
 * unset variable is left as written, so it matches no registry.
 */
function expandKey(key: string, env: NpmrcOptions["env"]): string {
  return key.replace(REFERENCE, (match, slashes: string, name: string) =>
    slashes.length % 2 === 0 && env?.[name] !== undefined ? `${slashes}${env[name]}` : match,
  );
}

/**
 * Replaces `${VAR}` (and `${VAR?}`, empty when unset) with the environment's value, as npm does;
 * an unset `${VAR}` is `BUNTIME_ERR_CLI_NPMRC_ENV` naming the file, the line and the variable.
 */
function expand(
  value: string,
  where: { source: string; line: number; registry: string },
  env: NpmrcOptions["env"],
) {
  return value.replace(REFERENCE, (match, slashes: string, name: string, optional?: string) => {
    if (slashes.length % 2 === 1) return match.slice(1);
    const set = env?.[name];
    if (set !== undefined) return `${slashes}${set}`;
    if (optional) return slashes;
    throw new BuntimeError("BUNTIME_ERR_CLI_NPMRC_ENV", { ...where, variable: name });
  });
}

/**
 * The `_authToken` for `registry` from the `.npmrc` files ({@link npmrcFiles}), or undefined. A
 * file that cannot be read is skipped; a token line naming an unset variable is an error.
 *
 * @example
 * // ~/.npmrc: //127.0.0.1:4873/:_authToken=${BUNTIME_TOKEN}
 * npmrcToken("http://127.0.0.1:4873/", { env: { BUNTIME_TOKEN: "t0k" } }); // { token: "t0k", source: "/home/ada/.npmrc" }
 */
export function npmrcToken(registry: string, options: NpmrcOptions = {}): NpmrcToken | undefined {
  const env = options.env ?? process.env;
  const wanted = registryKeys(registry);
  for (const source of npmrcFiles(options)) {
    let text: string;
    try {
      text = readFileSync(source, "utf8");
    } catch {
      continue;
    }
    const lines = entries(text);
    for (const key of wanted) {
      const hit = lines.findLast((entry) => expandKey(entry.key, env) === `${key}:_authToken`);
      if (!hit) continue;
      const token = expand(hit.value, { source, line: hit.line, registry }, env);
      if (token) return { token, source };
    }
  }
  return undefined;
}
