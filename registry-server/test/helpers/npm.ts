import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** The outcome of one CLI run. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A sandboxed npm user: own HOME, userconfig and cache, pointed at one registry. */
export interface NpmUser {
  home: string;
  userconfig: string;
  /** npm's cache folder for this user. */
  cache: string;
  npm(
    args: string[],
    options?: { cwd?: string; answers?: [RegExp, string][]; env?: Record<string, string> },
  ): Promise<CliResult>;
}

/**
 * An npm environment in `dir` for `registryUrl`. `answers` reply to prompts as they appear on
 * the output (npm reads its login prompts from stdin).
 */
export function npmUser(dir: string, registryUrl: string): NpmUser {
  const home = join(dir, "home");
  mkdirSync(home, { recursive: true });
  const userconfig = join(home, ".npmrc");
  writeFileSync(userconfig, "");
  const env = {
    PATH: process.env.PATH ?? "",
    HOME: home,
    npm_config_update_notifier: "false",
    npm_config_fund: "false",
    npm_config_audit: "false",
  };
  const cache = join(dir, "cache");
  return {
    home,
    userconfig,
    cache,
    async npm(args, options = {}) {
      const child = Bun.spawn(
        // Defaults first, so that flags in `args` win.
        ["npm", "--registry", registryUrl, "--userconfig", userconfig, "--cache", cache, ...args],
        {
          cwd: options.cwd ?? home,
          env: { ...env, ...options.env },
          stdin: "pipe",
          stdout: "pipe",
          stderr: "pipe",
        },
      );
      const pending = [...(options.answers ?? [])];
      let stdout = "";
      let consumed = 0;
      const decoder = new TextDecoder();
      const reader = (async () => {
        for await (const chunk of child.stdout) {
          stdout += decoder.decode(chunk);
          let match = pending[0] ? pending[0][0].exec(stdout.slice(consumed)) : null;
          while (pending[0] && match) {
            const [, answer] = pending.shift() as [RegExp, string];
            consumed += match.index + match[0].length;
            child.stdin.write(`${answer}\n`);
            child.stdin.flush();
            match = pending[0] ? pending[0][0].exec(stdout.slice(consumed)) : null;
          }
        }
      })();
      const timer = setTimeout(() => child.kill(), 45_000);
      const [code, stderr] = await Promise.all([child.exited, new Response(child.stderr).text(), reader]);
      clearTimeout(timer);
      child.stdin.end();
      return { code, stdout, stderr };
    },
  };
}

/** A package folder with `package.json` and a README, ready for `npm publish`. */
export function writePackage(dir: string, manifest: Record<string, unknown>, readme = "# readme\n"): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify(manifest, null, 2));
  writeFileSync(join(dir, "README.md"), readme);
  writeFileSync(join(dir, "index.js"), "export default {};\n");
  return dir;
}
