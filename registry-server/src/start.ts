import { resolve } from "node:path";
import { BuntimeError } from "@buntime/sdk";
import { readAdvisoryFile } from "./audit/advisories.ts";
import { loadRegistrySettings } from "./config/load.ts";
import { startOptionsOf } from "./config/open.ts";
import type { RegistryServerOptions } from "./context.ts";
import { createRegistryServer, type RegistryServer } from "./server.ts";
import { openSqliteStorage } from "./storage/sqlite-storage.ts";
import { sweepOrphanBlobs } from "./storage/sweep.ts";
import type { RegistryStorage } from "./storage/types.ts";

/** Options for {@link startRegistry}. */
export interface StartRegistryOptions
  extends Omit<RegistryServerOptions, "storage" | "signingKey" | "uplinkCacheDir"> {
  /** TCP port; 0 picks a free one. @default 4873 */
  port?: number;
  /** Interface to bind. @default "127.0.0.1" */
  hostname?: string;
  /** Folder for the embedded storage (SQLite + tarballs). @default "./.buntime/registry" */
  storageDir?: string;
  /** Another storage (e.g. PostgreSQL) instead of `storageDir`. */
  storage?: RegistryStorage;
  /**
   * A PEM file with the registry's ECDSA P-256 signing key, mode 0600 and owned by the
   * registry's user (several nodes give the same one). It must exist.
   * @default `BUNTIME_REGISTRY_SIGNING_KEY` when set (so a registry started inside another
   * program, such as the default distribution, takes one too), else
   * `<storageDir>/signing/registry-key.pem`, created on first start (0600, in a 0700 folder)
   */
  signingKeyFile?: string;
  /**
   * Unreferenced tarballs younger than this are kept by the start-up sweep (they may belong to
   * a publish in flight on another node). @default 600000 (10 minutes)
   */
  orphanGraceMs?: number;
  /** Folder of the uplink cache. @default `<storageDir>/uplinks` */
  uplinkCacheDir?: string;
  /** A JSON file of advisories for `npm audit` (read and checked at start), beside `advisories`. */
  advisoriesFile?: string;
}

/**
 * Whether `npm adduser` may create users when nobody said: yes on a loopback host (only this
 * machine reaches it), no on any other, so a registry put on a network is closed until opened.
 */
export function signUpOpenByDefault(hostname: string): boolean {
  return hostname === "localhost" || hostname === "::1" || /^127\./.test(hostname);
}

/** A registry listening on a port. */
export interface RunningRegistry {
  /** Base URL with a trailing slash, as npm's `--registry` wants it. */
  url: string;
  port: number;
  hostname: string;
  /** Publishes a tarball from inside the process (see `RegistryServer.publishTarball`). */
  publishTarball: RegistryServer["publishTarball"];
  /** Stops listening, flushes download counts and closes the storage. */
  stop(): Promise<void>;
}

/**
 * Starts a registry on `hostname:port` over the embedded storage in `storageDir`, after
 * sweeping tarballs that no version references (left by a crash mid-publish).
 *
 * @example
 * const registry = await startRegistry({ port: 4873, storageDir: ".buntime/registry" });
 * console.log(`npm --registry ${registry.url} ...`);
 */
export async function startRegistry(options: StartRegistryOptions = {}): Promise<RunningRegistry> {
  const {
    port = 4873,
    hostname = "127.0.0.1",
    storageDir = "./.buntime/registry",
    storage,
    orphanGraceMs,
    signingKeyFile = process.env.BUNTIME_REGISTRY_SIGNING_KEY || undefined,
    uplinkCacheDir = resolve(storageDir, "uplinks"),
    advisoriesFile,
    ...rest
  } = options;
  const advisories = [
    ...(rest.advisories ?? []),
    ...(advisoriesFile ? readAdvisoryFile(advisoriesFile) : []),
  ];
  const signingKey = signingKeyFile
    ? { path: resolve(signingKeyFile), create: false }
    : { path: resolve(storageDir, "signing", "registry-key.pem"), create: true };
  const store = storage ?? openSqliteStorage(storageDir);
  await sweepOrphanBlobs(store, orphanGraceMs);
  let registry: RegistryServer;
  try {
    registry = await createRegistryServer({
      ...rest,
      allowRegistration: rest.allowRegistration ?? signUpOpenByDefault(hostname),
      advisories,
      uplinkCacheDir,
      storage: store,
      signingKey,
    });
  } catch (error) {
    await store.metadata.close();
    await store.blobs.close();
    throw error;
  }
  const maxTarball = rest.limits?.maxTarballBytes ?? 10 * 1024 * 1024;
  const server = Bun.serve({
    port,
    hostname,
    maxRequestBodySize: Math.ceil((maxTarball * 4) / 3) + 2 * 1024 * 1024,
    fetch: (request, bunServer) => registry.fetch(request, bunServer),
  });
  const url = `http://${hostname.includes(":") ? `[${hostname}]` : hostname}:${server.port}/`;
  return {
    url,
    port: server.port ?? port,
    hostname,
    publishTarball: registry.publishTarball,
    async stop() {
      await server.stop(true);
      await registry.close();
    },
  };
}

/**
 * The `buntime registry start` command: reads the settings from `--config` (or
 * `BUNTIME_REGISTRY_CONFIG`), `BUNTIME_REGISTRY_*` variables and flags (see
 * docs/registry.md, _Settings_), starts the registry and resolves once it listens.
 *
 * @example
 * await runRegistryCommand(["start", "--port", "4873", "--storage", "/var/lib/buntime-registry"]);
 */
export async function runRegistryCommand(
  argv: string[],
  env: Record<string, string | undefined> = process.env,
): Promise<RunningRegistry> {
  const { command, settings } = loadRegistrySettings(argv, env);
  if (command !== "start") {
    throw new BuntimeError("BUNTIME_ERR_BAD_REQUEST", {
      details: `unknown registry command ${command} (try: start)`,
    });
  }
  return startRegistry(await startOptionsOf(settings, env));
}
