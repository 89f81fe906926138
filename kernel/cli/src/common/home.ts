/**
 * Which home a command acts on. Given (`--home`, `BUNTIME_HOME`, `--config`), it is that one;
 * otherwise the nearest folder up from the current one that holds a `buntime.config.json` or a
 * `.buntime` home, like git finds its repository, so a command run inside a plugin folder acts on
 * the project's home rather than making an empty one there.
 */
import { existsSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { loadConfig } from "@buntime/kernel";
import { BuntimeError } from "@buntime/sdk";
import type { Output } from "./output.ts";

/** How the home was chosen, for the line that says which home a command used. */
export type HomeOrigin = "--home" | "BUNTIME_HOME" | "--config" | "here" | "parent" | "default";

/** The home of a command and how it was found. */
export interface ResolvedHome {
  home: string;
  origin: HomeOrigin;
  /** False when no home is there yet (a first install makes it). */
  exists: boolean;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The nearest folder from `cwd` up that holds `buntime.config.json` or a `.buntime` folder. It
 * stops after the user's home folder (or at the root when `cwd` is outside it), so a stray
 * `.buntime` above the user's files is never picked up.
 */
export function projectOf(
  cwd: string,
  env: Record<string, string | undefined> = process.env,
): string | undefined {
  const userHome = resolve(env.HOME ?? homedir());
  const inside = !relative(userHome, cwd).startsWith("..");
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    if (existsSync(join(dir, "buntime.config.json")) || isDirectory(join(dir, ".buntime"))) return dir;
    if ((inside && dir === userHome) || dirname(dir) === dir) return undefined;
  }
}

/** Resolves the home from the common flags, the environment and the folders around `cwd`. */
export function resolveHome(
  flags: { home?: string; config?: string },
  cwd = process.cwd(),
  env: Record<string, string | undefined> = process.env,
): ResolvedHome {
  const found = (home: string, origin: HomeOrigin): ResolvedHome => ({
    home,
    origin,
    exists: isDirectory(home),
  });
  const given = (origin: HomeOrigin) =>
    found(loadConfig({ configPath: flags.config, overrides: { home: flags.home }, cwd, env }).home, origin);
  if (flags.home) return given("--home");
  if (env.BUNTIME_HOME) return given("BUNTIME_HOME");
  if (flags.config) return given("--config");
  const project = projectOf(cwd, env);
  if (project)
    return found(loadConfig({ cwd: project, env }).home, project === resolve(cwd) ? "here" : "parent");
  return found(loadConfig({ cwd, env }).home, "default");
}

/**
 * The line that says which home a command used, when that is not plain from the command line:
 * one found in a parent folder, or a default one that does not exist yet.
 */
export function homeNote(resolved: ResolvedHome): string | undefined {
  if (resolved.origin === "parent") return `home: ${resolved.home} (found above the current folder)`;
  if (!resolved.exists && resolved.origin === "default")
    return `home: ${resolved.home} (not there yet: no buntime.config.json or .buntime here or in a parent folder; --home or BUNTIME_HOME picks another)`;
  return undefined;
}

/**
 * Throws `BUNTIME_ERR_CLI_NO_HOME` when the home does not exist: a command that reads or changes
 * installed plugins has nothing to act on, and must not report success on an empty home.
 */
export function requireHome(resolved: ResolvedHome): void {
  if (resolved.exists) return;
  const details =
    resolved.origin === "default"
      ? "none in the current folder or its parents; pass --home or set BUNTIME_HOME"
      : `from ${resolved.origin}; it does not exist`;
  throw new BuntimeError("BUNTIME_ERR_CLI_NO_HOME", { home: resolved.home, details });
}

/**
 * Says on stderr which home a command uses when that is not plain ({@link homeNote}) and, when
 * `mustExist`, stops with `BUNTIME_ERR_CLI_NO_HOME` if there is none.
 */
export function announceHome(out: Output, resolved: ResolvedHome, mustExist: boolean): void {
  if (mustExist) requireHome(resolved);
  const note = homeNote(resolved);
  if (note) out.note(note);
}
