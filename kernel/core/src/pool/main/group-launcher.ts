/**
 * Tenant groups in the process tier: apps that the kernel's `isolation.groups` puts together
 * (apps that trust each other) share one sandbox, each in a Bun worker of its own inside it, so
 * ten small apps cost one process instead of ten. The sandbox binds each member's folder at
 * `/apps/<n>`; a member whose folder it lacks (seen for the first time) gets a new sandbox with
 * every member known so far. The apps of the old one are retired (they finish what they have in
 * flight; their next request starts in the new one), and it ends once the last is done.
 */
import { basename, dirname, join } from "node:path";
import type { SandboxedProcess } from "../sandbox/index.ts";
import type { FromGroup, ToGroup } from "../shared/group-protocol.ts";
import type { Carrier, CarrierEvents, Launcher } from "./carrier.ts";
import type { ResolvedAppSpec } from "./options.ts";
import { entryInside, kernelHost, SANDBOX_PROXY_ENV, type SandboxHost } from "./sandbox-host.ts";
import { groupScripts } from "./worker-script.ts";

/** Where the thread script of the group's workers is bound (beside the apps' folders). */
const RUNTIME_MOUNT = "/apps/_runtime";

/** One sandbox of a group. */
interface GroupSandbox {
  readonly child: SandboxedProcess;
  /** App folder → where it is bound inside. */
  readonly mounted: ReadonlyMap<string, string>;
  readonly channels: Map<number, CarrierEvents>;
  /** The thread script its apps' workers start from, as the sandbox sees it. */
  readonly workerScript: string;
  /** False once a newer sandbox of the group took over: it ends when its last app is done. */
  current: boolean;
}

/** Creates the launcher of tenant groups. */
export function groupLauncher(sandboxes: SandboxHost): Launcher {
  const live = new Map<string, GroupSandbox>();
  /** Per group: every member folder seen, with its latest spec (limits and permissions). */
  const members = new Map<string, Map<string, ResolvedAppSpec>>();
  let channels = 0;
  let spawned = 0;

  function endIfUnused(box: GroupSandbox): void {
    if (!box.current && box.channels.size === 0) box.child.kill();
  }

  function relay(box: GroupSandbox, message: FromGroup): void {
    const events = box.channels.get(message.w);
    if (events === undefined) return;
    if ("b" in message) events.message(message.b);
    else if ("error" in message) events.error(message.error);
    else {
      box.channels.delete(message.w);
      events.exit(message.exit);
      endIfUnused(box);
    }
  }

  async function start(group: string, known: Map<string, ResolvedAppSpec>): Promise<GroupSandbox> {
    const scripts = await groupScripts();
    const specs = [...known.values()];
    const mounted = new Map([...known.keys()].map((dir, index) => [dir, `/apps/${index}`] as const));
    const folders: { source: string; target: string }[] = [...mounted].map(([source, target]) => ({
      source,
      target,
    }));
    folders.push({ source: dirname(scripts.worker), target: RUNTIME_MOUNT });
    let box: GroupSandbox | undefined;
    const child = await sandboxes.start({
      name: `group:${group}#${++spawned}`,
      appDir: dirname(scripts.entry), // nothing of one app at /app: the apps are under /apps
      dataName: `tenant-${group}`,
      folders,
      script: scripts.entry,
      env: {},
      app: `group ${group}`,
      hosts: [...new Set(specs.flatMap((spec) => spec.network))],
      alwaysAllow: [...new Set(specs.flatMap(kernelHost))],
      memory: specs.reduce((total, spec) => total + spec.maxMemory, 0),
      onMessage: (message) => box && relay(box, message as FromGroup),
      onExit(how, limit) {
        if (box === undefined) return;
        if (live.get(group) === box) live.delete(group);
        for (const events of box.channels.values()) events.exit(how, limit);
        box.channels.clear();
      },
    });
    box = {
      child,
      mounted,
      channels: new Map(),
      workerScript: join(RUNTIME_MOUNT, basename(scripts.worker)),
      current: true,
    };
    return box;
  }

  async function sandboxFor(group: string, spec: ResolvedAppSpec): Promise<GroupSandbox> {
    const known = members.get(group) ?? new Map<string, ResolvedAppSpec>();
    members.set(group, known);
    known.set(spec.dir as string, spec);
    const current = live.get(group);
    if (current?.mounted.has(spec.dir as string)) return current;
    const next = await start(group, known);
    live.set(group, next);
    if (current !== undefined) {
      current.current = false;
      for (const events of current.channels.values()) events.retire("regroup");
      endIfUnused(current);
    }
    return next;
  }

  return {
    tier: "process",
    async prepare() {
      await Promise.all([sandboxes.prepare(), groupScripts()]);
    },
    async launch(spec, events) {
      const group = spec.group as string;
      entryInside(spec, "/app"); // refuses an app without a folder, or an entry outside it
      const box = await sandboxFor(group, spec);
      const mount = box.mounted.get(spec.dir as string) as string;
      const w = ++channels;
      box.channels.set(w, events);
      const send = (message: ToGroup) => box.child.send(message);
      const env = { ...spec.env, ...SANDBOX_PROXY_ENV, HOME: "/data", TMPDIR: "/tmp" };
      send({ w, open: { script: box.workerScript, env } });
      const carrier: Carrier = {
        entry: entryInside(spec, mount),
        dataDir: "/data",
        // a Bun worker, if inside a sandbox: ending it while it loads may take its siblings down
        killableWhileLoading: false,
        postMessage: (b) => send({ w, b: b as never }),
        terminate: () => send({ w, kill: true }),
      };
      return carrier;
    },
  };
}
