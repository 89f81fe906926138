/**
 * What the process tier's launchers share: one sandbox factory (probed once; a failed probe is
 * kept, so every spawn fails with its reason and nothing ever runs unsandboxed), the data and
 * egress-socket folders, and the start of one sandboxed child with its egress proxy, its data
 * folder, its limits and the proxy variables in its environment.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, isAbsolute, join, relative } from "node:path";
import { type EgressProxy, proxyEnv, SANDBOX_PROXY_PORT, startEgressProxy } from "../egress/index.ts";
import { createSandbox, type Sandbox, type SandboxExit, type SandboxedProcess } from "../sandbox/index.ts";
import type { ProcessTierOptions, ResolvedAppSpec } from "./options.ts";

const DEFAULT_PIDS = 64;
const DEFAULT_CPU = 1;

/**
 * A folder of the kernel's own, removed at exit. Others may pass through it (0711) but not
 * list it: bwrap runs as the sandbox's user and must reach the one entry bound for it.
 */
function kernelTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o711);
  process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * With a user of its own, the sandbox opens its folders as that user: every folder on the way
 * must let others pass. Said plainly here rather than as bwrap's "Permission denied" later.
 */
function checkReachable(path: string, what: string): void {
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    if ((statSync(dir).mode & 0o001) === 0) {
      throw new Error(
        `the sandbox's user cannot reach ${what} ${path}: ${dir} does not let others pass (chmod o+x ${dir}, or 0711)`,
      );
    }
    if (dir === dirname(dir)) return;
  }
}

/** The app's entry as a sandbox sees it when its folder is bound at `mount`; refuses an entry outside the folder. */
export function entryInside(spec: ResolvedAppSpec, mount: string): string {
  if (spec.dir === undefined) {
    throw new Error(`a process-tier app needs its folder: ${spec.key}'s spec has no "dir"`);
  }
  const path = relative(spec.dir, spec.entry);
  if (path.startsWith("..") || isAbsolute(path)) {
    throw new Error(`${spec.key}'s entry ${spec.entry} is outside its folder ${spec.dir}`);
  }
  return `${mount}/${path}`;
}

/** The kernel's own address from the app's `BUNTIME_URL`, so the app can always call the kernel. */
export function kernelHost(spec: ResolvedAppSpec): string[] {
  const url = spec.env.BUNTIME_URL;
  if (url === undefined) return [];
  try {
    return [new URL(url).host];
  } catch {
    return [];
  }
}

/** A file-system-safe name (`@acme/todo@1.0.0` → `@acme+todo@1.0.0`). */
export function folderName(name: string): string {
  return name.replaceAll("/", "+");
}

/** The variables that send an app's HTTP clients to the sandbox's egress forwarder. */
export const SANDBOX_PROXY_ENV = proxyEnv(`http://127.0.0.1:${SANDBOX_PROXY_PORT}`);

/** One sandboxed child to start. */
export interface SandboxRun {
  readonly name: string;
  /** Bound read-only at /app. */
  readonly appDir: string;
  /** Named for its folder under the data folder (`<dataDir>/<dataName>`, bound at /data). */
  readonly dataName: string;
  readonly folders?: readonly { readonly source: string; readonly target: string }[];
  /** The script to run: its folder is bound at /buntime. */
  readonly script: string;
  readonly env: Readonly<Record<string, string>>;
  /** Hosts its egress proxy lets through, and the app named in refusals. */
  readonly app: string;
  readonly hosts: readonly string[];
  readonly alwaysAllow: readonly string[];
  readonly memory: number;
  onMessage(message: unknown): void;
  /** `how` it ended unless by itself with 0; `limit` when a limit ended it. */
  onExit(how: string | undefined, limit: SandboxExit["limit"]): void;
}

/** Creates the shared part of the process tier; nothing is probed until the first sandbox starts. */
export function sandboxHost(options: ProcessTierOptions) {
  let sandbox: Promise<Sandbox> | undefined;
  let dataDir: string | undefined;
  let socketsDir: string | undefined;
  let sockets = 0;
  const sandboxOnce = () => {
    sandbox ??= createSandbox({ bwrap: options.bwrap });
    return sandbox;
  };

  return {
    /** Probes the sandbox; throws `BUNTIME_ERR_POOL_SANDBOX_UNAVAILABLE` if it cannot be created. */
    prepare: (): Promise<Sandbox> => sandboxOnce(),

    /** Ends what is left of the sandboxes and removes their cgroups (at pool shutdown). */
    async close(): Promise<void> {
      await sandbox?.then(
        (box) => box.close(),
        () => {},
      );
    },

    /** Starts `run` in a sandbox with its own egress proxy; throws (leaving nothing behind) if it cannot. */
    async start(run: SandboxRun): Promise<SandboxedProcess> {
      const box = await sandboxOnce();
      if (dataDir === undefined) {
        dataDir = options.dataDir ?? kernelTempDir("buntime-data-");
        mkdirSync(dataDir, { recursive: true });
        chmodSync(dataDir, 0o711); // each app's folder inside is 0700 and its own
      }
      socketsDir ??= kernelTempDir("buntime-egress-");
      const appData = join(dataDir, folderName(run.dataName));
      if (box.user === "dedicated") {
        for (const source of [run.appDir, ...(run.folders ?? []).map((folder) => folder.source)]) {
          checkReachable(source, "the app's folder");
        }
        checkReachable(appData, "its data folder");
      }
      const egress: EgressProxy = await startEgressProxy({
        socketPath: join(socketsDir, `${++sockets}.sock`),
        policy: { app: run.app, hosts: run.hosts, alwaysAllow: run.alwaysAllow },
      });
      let child: SandboxedProcess | undefined;
      try {
        child = box.spawn({
          name: run.name,
          appDir: run.appDir,
          dataDir: appData,
          folders: run.folders,
          runtimeDir: dirname(run.script),
          egressSocket: egress.socketPath,
          argv: [`/buntime/${basename(run.script)}`],
          // the proxy variables are there from the start: node:http reads them when first loaded
          env: { ...run.env, ...SANDBOX_PROXY_ENV },
          limits: { memory: run.memory, pids: options.pids ?? DEFAULT_PIDS, cpu: options.cpu ?? DEFAULT_CPU },
          onMessage: run.onMessage,
          onExit(exit) {
            void egress.close();
            const how =
              exit.signal !== null
                ? `it ended on signal ${exit.signal}`
                : exit.code !== 0 && exit.code !== null
                  ? `it exited with code ${exit.code}`
                  : undefined;
            run.onExit(how, exit.limit);
          },
        });
        // the sandbox's user owns its data folder; the socket (0600) becomes its too, long
        // before the child has booted far enough to connect
        if (box.user === "dedicated") {
          const { uid, gid } = statSync(appData);
          await egress.chown({ uid, gid });
        }
        return child;
      } catch (error) {
        child?.kill();
        await egress.close();
        throw error;
      }
    },
  };
}

/** The shared part of the process tier. */
export type SandboxHost = ReturnType<typeof sandboxHost>;
