/**
 * Deployed app versions in the apps folder the router serves: `<apps>/<name>/<version>/` holds
 * a version's files, `<apps>/<name>/.active` the version `/<name>/` reaches, and
 * `<apps>/<name>/.deployments.json` who deployed and activated what, and when. A version is
 * written into `<apps>/.staging/` and renamed into place once whole and valid, so the router
 * never sees half a version; `.active` is replaced by a rename too, so a switch is atomic:
 * requests already in flight finish on the version they started on.
 */
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { APP_ENV_FILE, BuntimeError, parseAppManifest, resolveApp } from "@buntime/sdk";
import semver from "semver";
import type { UploadedFile } from "./upload.ts";

const ACTIVE = ".active";
const HISTORY = ".deployments.json";
const STAGING = ".staging";
const APP_NAME = /^[a-z0-9][a-z0-9._~-]*$/i;

/** One event in an app's history. */
export interface DeploymentEvent {
  readonly action: "deploy" | "activate" | "delete";
  readonly version: string;
  /** Who did it: a username, or `admin-token` for the kernel's token. */
  readonly by: string;
  /** ISO time. */
  readonly at: string;
}

/** One deployed version as listed. */
export interface DeployedVersion {
  readonly version: string;
  readonly active: boolean;
  readonly deployedBy: string | undefined;
  readonly deployedAt: string | undefined;
}

/** One app as listed. */
export interface DeployedApp {
  readonly name: string;
  readonly active: string | undefined;
  /** Highest first. */
  readonly versions: readonly DeployedVersion[];
}

/** How a deploy goes. */
export interface DeployOptions {
  readonly by: string;
  /** Values of the variables the manifest's `env` names. */
  readonly env?: Readonly<Record<string, string>>;
  /** Make it the active version at once. @default true */
  readonly activate?: boolean;
}

function refused(app: string, details: string): BuntimeError {
  return new BuntimeError("BUNTIME_ERR_DEPLOY_REFUSED", { app, details });
}

function invalid(details: string): BuntimeError {
  return new BuntimeError("BUNTIME_ERR_DEPLOY_UPLOAD_INVALID", { details });
}

/** Runs `check`; a config error it throws (a 500 when an app is served) is the upload's fault here. */
function asUploadError<T>(check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof BuntimeError && error.code.startsWith("BUNTIME_ERR_POOL_"))
      throw invalid(error.message);
    throw error;
  }
}

/** The app name a package name gives: `shop`, or `shop` for `@acme/shop`. */
function appNameOf(packageName: unknown): string {
  if (typeof packageName !== "string") throw invalid("package.json has no name");
  const name = packageName.startsWith("@") ? packageName.slice(packageName.indexOf("/") + 1) : packageName;
  if (!APP_NAME.test(name)) throw invalid(`package name ${JSON.stringify(packageName)} is no app name`);
  return name;
}

/** The deployed apps under one apps folder. */
export class AppStore {
  constructor(readonly appsDir: string) {}

  #appDir(name: string): string {
    if (!APP_NAME.test(name)) throw new BuntimeError("BUNTIME_ERR_DEPLOY_NOT_FOUND", { what: `app ${name}` });
    return join(this.appsDir, name);
  }

  async #history(name: string): Promise<DeploymentEvent[]> {
    const text = await readFile(join(this.#appDir(name), HISTORY), "utf8").catch(() => "[]");
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? (parsed as DeploymentEvent[]) : [];
  }

  /** Replaces `path` by a rename, so readers see the old content or the new, never a mix. */
  async #replace(path: string, text: string): Promise<void> {
    const temporary = `${path}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(temporary, text);
    await rename(temporary, path);
  }

  async #record(name: string, event: Omit<DeploymentEvent, "at">): Promise<void> {
    const history = await this.#history(name);
    history.push({ ...event, at: new Date().toISOString() });
    await this.#replace(join(this.#appDir(name), HISTORY), `${JSON.stringify(history, null, 2)}\n`);
  }

  /** The installed versions of `name`, highest first. */
  async #versions(name: string): Promise<string[]> {
    const entries = await readdir(this.#appDir(name), { withFileTypes: true }).catch(() => []);
    const versions = entries.filter(
      (entry) => entry.isDirectory() && semver.valid(entry.name) === entry.name,
    );
    return versions.map((entry) => entry.name).sort(semver.rcompare);
  }

  async #active(name: string): Promise<string | undefined> {
    const text = await readFile(join(this.#appDir(name), ACTIVE), "utf8").catch(() => undefined);
    return text?.trim() || undefined;
  }

  /**
   * Installs the package in `files` as `<name>/<version>/` (name and version from its
   * package.json, config from its `buntime.app` manifest) and, unless told otherwise, makes
   * it active. Nothing is written when the package is invalid, when the version exists, or
   * when a folder app of that name (not managed by deployments) is in the way.
   */
  async deploy(
    files: readonly UploadedFile[],
    options: DeployOptions,
  ): Promise<{ name: string; version: string }> {
    const manifestFile = files.find((file) => file.path === "package.json");
    if (!manifestFile) throw invalid("no package.json at the top of the upload");
    let pkg: { name?: unknown; version?: unknown; buntime?: { app?: unknown } };
    try {
      pkg = JSON.parse(new TextDecoder().decode(manifestFile.data));
    } catch {
      throw invalid("package.json is not JSON");
    }
    const name = appNameOf(pkg.name);
    const version = typeof pkg.version === "string" ? semver.valid(pkg.version) : null;
    if (version === null || version !== pkg.version)
      throw invalid(`package.json version ${JSON.stringify(pkg.version)} is not an exact semver version`);
    const manifest = asUploadError(() => parseAppManifest(pkg.buntime?.app ?? {}, `${name}@${version}`));
    const unknownEnv = Object.keys(options.env ?? {}).filter((key) => !manifest.env.includes(key));
    if (unknownEnv.length > 0)
      throw invalid(`env ${unknownEnv.join(", ")} is not declared in package.json#buntime.app.env`);
    const appDir = this.#appDir(name);
    const target = join(appDir, version);
    if (existsSync(target))
      throw new BuntimeError("BUNTIME_ERR_DEPLOY_VERSION_EXISTS", { app: name, version });
    if (existsSync(join(appDir, "package.json")) || existsSync(join(appDir, "index.ts")))
      throw refused(name, `${appDir} is a folder app; move it away before deploying packages of that name`);

    await mkdir(join(this.appsDir, STAGING), { recursive: true });
    const staging = await mkdtemp(join(this.appsDir, STAGING, `${name}-`));
    try {
      for (const file of files) {
        await mkdir(dirname(join(staging, file.path)), { recursive: true });
        await writeFile(join(staging, file.path), file.data);
      }
      await writeFile(join(staging, APP_ENV_FILE), JSON.stringify(options.env ?? {}), { mode: 0o600 });
      await resolveApp(staging, { name, version }); // the entry exists and the config holds
      await mkdir(appDir, { recursive: true });
      await rename(staging, target);
    } catch (error) {
      await rm(staging, { recursive: true, force: true });
      throw error instanceof BuntimeError && error.code.startsWith("BUNTIME_ERR_POOL_")
        ? invalid(error.message)
        : error;
    }
    await this.#record(name, { action: "deploy", version, by: options.by });
    if (options.activate !== false) await this.activate(name, version, options.by);
    return { name, version };
  }

  /** Makes `version` the one `/<name>/` reaches. */
  async activate(name: string, version: string, by: string): Promise<void> {
    if (!(await this.#versions(name)).includes(version))
      throw new BuntimeError("BUNTIME_ERR_DEPLOY_NOT_FOUND", { what: `${name}@${version}` });
    await this.#replace(join(this.#appDir(name), ACTIVE), `${version}\n`);
    await this.#record(name, { action: "activate", version, by });
  }

  /** Activates the version that was active before the current one (still installed); returns it. */
  async rollback(name: string, by: string): Promise<string> {
    const current = await this.#active(name);
    const installed = new Set(await this.#versions(name));
    const activations = (await this.#history(name)).filter((event) => event.action === "activate");
    const previous = activations
      .map((event) => event.version)
      .reverse()
      .find((version) => version !== current && installed.has(version));
    if (previous === undefined)
      throw refused(name, "no earlier active version is still deployed to roll back to");
    await this.activate(name, previous, by);
    return previous;
  }

  /** Deletes one version; the active one is refused (activate another first). */
  async removeVersion(name: string, version: string, by: string): Promise<void> {
    if (!(await this.#versions(name)).includes(version))
      throw new BuntimeError("BUNTIME_ERR_DEPLOY_NOT_FOUND", { what: `${name}@${version}` });
    if ((await this.#active(name)) === version)
      throw refused(name, `${version} is the active version; activate another one first, or remove the app`);
    await this.#discard(join(this.#appDir(name), version));
    await this.#record(name, { action: "delete", version, by });
  }

  /** Deletes the app: every version and its history. */
  async removeApp(name: string): Promise<void> {
    if ((await this.#versions(name)).length === 0)
      throw new BuntimeError("BUNTIME_ERR_DEPLOY_NOT_FOUND", { what: `app ${name}` });
    await this.#discard(this.#appDir(name));
  }

  /** Moves `dir` out of the router's sight at once (a rename), then deletes it. */
  async #discard(dir: string): Promise<void> {
    await mkdir(join(this.appsDir, STAGING), { recursive: true });
    const trash = await mkdtemp(join(this.appsDir, STAGING, "trash-"));
    await rename(dir, join(trash, "gone"));
    await rm(trash, { recursive: true, force: true });
  }

  /** Every app deployed here (folders with versions), with who deployed each version and when. */
  async list(): Promise<DeployedApp[]> {
    const names = await readdir(this.appsDir).catch(() => []);
    const apps: DeployedApp[] = [];
    for (const name of names.sort()) {
      if (name.startsWith(".") || !APP_NAME.test(name)) continue;
      const found = await this.get(name).catch(() => undefined);
      if (found) apps.push(found);
    }
    return apps;
  }

  /** One deployed app. */
  async get(name: string): Promise<DeployedApp> {
    const versions = await this.#versions(name);
    if (versions.length === 0)
      throw new BuntimeError("BUNTIME_ERR_DEPLOY_NOT_FOUND", { what: `app ${name}` });
    const active = await this.#active(name);
    const history = await this.#history(name);
    const deployed = (version: string) =>
      history.findLast((event) => event.action === "deploy" && event.version === version);
    return {
      name,
      active,
      versions: versions.map((version) => ({
        version,
        active: version === active,
        deployedBy: deployed(version)?.by,
        deployedAt: deployed(version)?.at,
      })),
    };
  }
}
