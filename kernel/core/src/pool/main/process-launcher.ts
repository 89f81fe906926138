/**
 * The `process` tier: each worker is a child process in a sandbox of its own (see
 * `../sandbox`), which sees only the app's folder (read-only, as `/app`), its data folder
 * (`/data`), a private `/tmp` and the process script; it has no network but the kernel's
 * egress proxy, which lets through only the hosts the app declared. The sandbox is created
 * once, on first use; if it cannot be, every process-tier spawn fails with the reason: an app
 * that asked for a sandbox never runs without one.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, isAbsolute, join, relative } from "node:path";
import { type EgressProxy, proxyEnv, SANDBOX_PROXY_PORT, startEgressProxy } from "../egress/index.ts";
import { createSandbox, type Sandbox } from "../sandbox/index.ts";
import type { Carrier, Launcher } from "./carrier.ts";
import type { ProcessTierOptions, ResolvedAppSpec } from "./options.ts";
import { processScript } from "./worker-script.ts";

/** Where the egress socket appears inside the sandbox. */
export const EGRESS_SOCKET = "/run/buntime/egress.sock";
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

/** The app's entry as the sandbox sees it; refuses an entry outside the app's folder. */
function entryInside(spec: ResolvedAppSpec): string {
  if (spec.dir === undefined) {
    throw new Error(`a process-tier app needs its folder: ${spec.key}'s spec has no "dir"`);
  }
  const path = relative(spec.dir, spec.entry);
  if (path.startsWith("..") || isAbsolute(path)) {
    throw new Error(`${spec.key}'s entry ${spec.entry} is outside its folder ${spec.dir}`);
  }
  return `/app/${path}`;
}

/** The kernel's own address from the app's `BUNTIME_URL`, so the app can always call the kernel. */
function kernelHost(spec: ResolvedAppSpec): string[] {
  const url = spec.env.BUNTIME_URL;
  if (url === undefined) return [];
  try {
    return [new URL(url).host];
  } catch {
    return [];
  }
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

/** A file-system-safe folder name for an app (`@acme/todo` → `@acme+todo`). */
function folderName(name: string): string {
  return name.replaceAll("/", "+");
}

/** Creates the process-tier launcher; nothing is probed until the first process-tier app starts. */
export function processLauncher(options: ProcessTierOptions): Launcher & { close(): Promise<void> } {
  let sandbox: Promise<Sandbox> | undefined;
  /** The sandbox, probed once; a failed probe is kept, so every spawn fails with its reason. */
  const sandboxOnce = () => {
    sandbox ??= createSandbox({ bwrap: options.bwrap });
    return sandbox;
  };
  let dataDir: string | undefined;
  let socketsDir: string | undefined;
  let spawned = 0;

  return {
    tier: "process",
    /** Ends what is left of the sandboxes and removes their cgroups (at pool shutdown). */
    async close() {
      if (sandbox === undefined) return;
      await sandbox.then(
        (box) => box.close(),
        () => {},
      );
    },
    async prepare() {
      await Promise.all([sandboxOnce(), processScript()]);
    },
    async launch(spec, events) {
      const box = await sandboxOnce();
      const script = await processScript();
      const entry = entryInside(spec);
      if (dataDir === undefined) {
        dataDir = options.dataDir ?? kernelTempDir("buntime-data-");
        mkdirSync(dataDir, { recursive: true });
        chmodSync(dataDir, 0o711); // each app's folder inside is 0700 and its own
      }
      socketsDir ??= kernelTempDir("buntime-egress-");
      const name = `${spec.key}#${++spawned}`;
      const egress: EgressProxy = await startEgressProxy({
        socketPath: join(socketsDir, `${spawned}.sock`),
        policy: { app: spec.key, hosts: spec.network, alwaysAllow: kernelHost(spec) },
      });
      const appData = join(dataDir, folderName(spec.name));
      if (box.user === "dedicated") {
        checkReachable(spec.dir as string, "the app's folder");
        checkReachable(appData, "its data folder");
      }
      let child: ReturnType<Sandbox["spawn"]> | undefined;
      try {
        child = box.spawn({
          name,
          appDir: spec.dir as string,
          dataDir: appData,
          runtimeDir: dirname(script),
          egressSocket: egress.socketPath,
          argv: [`/buntime/${basename(script)}`],
          // the proxy variables are there from the start: node:http reads them when first loaded
          env: { ...spec.env, ...proxyEnv(`http://127.0.0.1:${SANDBOX_PROXY_PORT}`) },
          limits: {
            memory: spec.maxMemory,
            pids: options.pids ?? DEFAULT_PIDS,
            cpu: options.cpu ?? DEFAULT_CPU,
          },
          onMessage: (message) => events.message(message as Parameters<typeof events.message>[0]),
          onExit(exit) {
            void egress.close();
            const how =
              exit.signal !== null
                ? `it ended on signal ${exit.signal}`
                : exit.code !== 0 && exit.code !== null
                  ? `it exited with code ${exit.code}`
                  : undefined;
            events.exit(how, exit.limit);
          },
        });
        // the sandbox's user owns its data folder; the socket (0600) becomes its too, long
        // before the child has booted far enough to connect
        if (box.user === "dedicated") {
          const { uid, gid } = statSync(appData);
          await egress.chown({ uid, gid });
        }
      } catch (error) {
        child?.kill();
        await egress.close();
        throw error;
      }
      const started = child;
      const carrier: Carrier = {
        entry,
        dataDir: "/data",
        killableWhileLoading: true,
        // IPC clones what it sends (buffers included), so nothing is transferred
        postMessage: (message) => started.send(message),
        terminate: () => started.kill(),
      };
      return carrier;
    },
  };
}
