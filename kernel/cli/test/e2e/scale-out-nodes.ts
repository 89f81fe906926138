/**
 * Kernel nodes for the scale-out suites: each a real `buntime start` process on a fixed loopback
 * port (so a restarted node comes back where the balancer looks), with its own home, on one
 * PostgreSQL and one Redis, behind nginx. The `probe` plugin, written here, gives the suites
 * something to ask each node: who answered, a keyval key, a scheduled job's runs, a slow answer.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freeLoopbackPort } from "@buntime/test-kit/ports";

const REPO = join(import.meta.dir, "..", "..", "..", "..");
const CLI = join(import.meta.dir, "..", "..", "bin", "buntime.ts");

/** The repository's folder of first-party plugin `name`. */
export const pluginFolder = (name: string) => join(REPO, "plugins", name);

/** The first-party plugins every node runs, from the repository's folders. */
export const FIRST_PARTY = ["storage", "auth", "ratelimit"].map(pluginFolder);

/** The password of user `admin`, created by whichever node starts first. */
export const ADMIN_PASSWORD = "scale-out-admin-password-0123";

/** Milliseconds between the probe's scheduled ticks. */
export const PROBE_EVERY = 500;

/**
 * The probe plugin: `/probe/hello` names the node, `/probe/slow?ms=` answers late,
 * `/probe/limited` is what the rate limit counts, `/probe/kv/<key>` reads and writes keyval, and
 * jobs `global` and `local` record each run they make in table `probe_runs` (which the suite
 * creates).
 */
const PROBE_ENTRY = `import { SQL } from "bun";
export default {
  async setup(ctx) {
    const { node, postgres } = ctx.config;
    const sql = new SQL(postgres, { max: 2 });
    const schedule = ctx.services.get("kernel:schedule");
    for (const scope of ["global", "local"]) {
      schedule.schedule({ id: scope, every: ${PROBE_EVERY}, scope, run: async (tick) => {
        await sql\`INSERT INTO probe_runs (scope, tick, node, ran_by) VALUES (\${scope}, \${tick.tick}, \${node}, \${tick.node})\`;
      } });
    }
    const kv = () => ctx.services.get("keyval").namespace("probe");
    return {
      async fetch(request) {
        const url = new URL(request.url);
        const path = url.pathname;
        if (path === "/probe/hello" || path === "/probe/limited") return new Response("hello from " + node);
        if (path === "/probe/slow") {
          await Bun.sleep(Number(url.searchParams.get("ms") ?? 100));
          return new Response("slow from " + node);
        }
        if (path.startsWith("/probe/kv/")) {
          const key = decodeURIComponent(path.slice("/probe/kv/".length));
          if (request.method === "PUT") {
            await kv().set(key, await request.text());
            return new Response(null, { status: 204 });
          }
          const entry = await kv().get(key);
          return entry ? new Response(entry.value) : new Response("none", { status: 404 });
        }
        return undefined;
      },
      async onShutdown() {
        await sql.close();
      },
    };
  },
};
`;

/** Writes the probe plugin's folder under `dir`; returns it. */
export function writeProbe(dir: string): string {
  const folder = join(dir, "probe");
  mkdirSync(folder, { recursive: true });
  writeFileSync(
    join(folder, "package.json"),
    JSON.stringify({
      name: "probe",
      version: "1.0.0",
      type: "module",
      main: "index.js",
      buntime: {
        kernel: "^0.1.0",
        base: "/probe",
        consumes: ["kernel:schedule", "keyval"],
        optionalDependencies: { "@buntime/plugin-storage": "^0.1.0" },
      },
    }),
  );
  writeFileSync(join(folder, "index.js"), PROBE_ENTRY);
  return folder;
}

/** What every node shares. */
export interface Shared {
  readonly postgres: string;
  readonly redis: string;
  /** Plugin folders each node loads (`--plugins`). */
  readonly plugins: readonly string[];
  /** Settings besides the ones every node gets (merged per plugin). */
  readonly settings?: Record<string, unknown>;
  /** Run as cluster nodes (config `cluster`: shared desired state, global jobs across nodes). @default true */
  readonly cluster?: boolean;
  /** The registry cluster nodes fetch desired plugins from (`BUNTIME_REGISTRY`). */
  readonly registry?: string;
}

/** One node: a `buntime start` process that can be stopped, killed and started again. */
export interface Node {
  readonly name: string;
  readonly port: number;
  readonly url: string;
  /** Its Buntime home (write apps into `<home>/apps` before `start`). */
  readonly home: string;
  /** Starts the process; resolves once it listens. */
  start(): Promise<void>;
  /** SIGTERM (a graceful drain); resolves with the exit code. */
  stop(): Promise<number>;
  /** SIGKILL: no drain, no goodbye. */
  kill(): Promise<void>;
  /** What the process printed (stdout and stderr), for a failure's message. */
  output(): string;
}

/** The settings file of node `name`. */
function configOf(name: string, port: number, home: string, shared: Shared) {
  return {
    port,
    hostname: "127.0.0.1",
    home, // each node makes its own <home>/admin-token, which the CLI reads to install through it
    logLevel: "warn",
    logFormat: "json",
    shutdownTimeout: 5000,
    trustProxy: { header: "x-real-ip", proxies: ["127.0.0.1"] },
    ...(shared.cluster === false
      ? {}
      : { cluster: { node: name, postgres: shared.postgres, redis: shared.redis, reconcileInterval: 2000 } }),
    plugins: merged(
      {
        "@buntime/plugin-storage": { backend: "postgres", url: shared.postgres },
        "@buntime/plugin-ratelimit": { store: "redis", redisUrl: shared.redis, failOpen: false },
        probe: { node: name, postgres: shared.postgres },
      },
      shared.settings ?? {},
    ),
  };
}

/** Each plugin's settings in `base`, with those in `more` over them. */
function merged(base: Record<string, object>, more: Record<string, unknown>): Record<string, unknown> {
  const all: Record<string, unknown> = { ...base };
  for (const [plugin, settings] of Object.entries(more))
    all[plugin] = { ...base[plugin], ...(settings as object) };
  return all;
}

/** Reads a stream into `sink` until it ends. */
async function drain(stream: ReadableStream<Uint8Array>, sink: (text: string) => void): Promise<void> {
  const decoder = new TextDecoder();
  for await (const chunk of stream) sink(decoder.decode(chunk, { stream: true }));
}

/** Node `name` (not started), its home and settings in a fresh folder. */
export function node(name: string, shared: Shared, cleanups: (() => unknown)[]): Node {
  const dir = mkdtempSync(join(tmpdir(), `buntime-node-${name}-`));
  const config = join(dir, "buntime.config.json");
  const home = join(dir, "home");
  let port = 0;
  /** Takes a free port (another process may take it before the node binds it: then `start` takes another). */
  const choosePort = () => {
    port = freeLoopbackPort();
    writeFileSync(config, JSON.stringify(configOf(name, port, home, shared), null, 2));
  };
  choosePort();
  let started = false;
  let child: Bun.Subprocess<"ignore", "pipe", "pipe"> | undefined;
  let output = "";
  const keep = (text: string) => {
    output = (output + text).slice(-20_000);
  };
  const exit = async (signal: "SIGTERM" | "SIGKILL") => {
    const running = child;
    if (!running) return 0;
    running.kill(signal);
    const late = setTimeout(() => running.kill("SIGKILL"), 15_000);
    const code = await running.exited;
    clearTimeout(late);
    child = undefined;
    return code;
  };
  cleanups.push(async () => {
    await exit("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  });
  const plugins = shared.plugins.flatMap((folder) => ["--plugins", folder]);
  const launch = async () => {
    const spawned = Bun.spawn([process.execPath, CLI, "start", "--config", config, ...plugins], {
      cwd: dir,
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
      env: {
        PATH: process.env.PATH ?? "",
        HOME: dir,
        BUNTIME_ADMIN_PASSWORD: ADMIN_PASSWORD,
        ...(shared.registry ? { BUNTIME_REGISTRY: shared.registry } : {}),
      },
    });
    child = spawned;
    void drain(spawned.stderr, keep);
    const decoder = new TextDecoder();
    const reader = spawned.stdout.getReader();
    const deadline = Date.now() + 30_000;
    let said = "";
    while (!said.includes("listening on") && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) {
        await spawned.exited;
        await Bun.sleep(50); // what it said on stderr, read by now
        throw new Error(`node ${name} exited before it listened:\n${output}`);
      }
      said += decoder.decode(value, { stream: true });
    }
    keep(said);
    reader.releaseLock();
    void drain(spawned.stdout, keep);
    if (!said.includes("listening on"))
      throw new Error(`node ${name} did not listen within 30 s:\n${output}`);
  };
  return {
    name,
    get port() {
      return port;
    },
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    home,
    async start() {
      for (let attempt = 1; ; attempt++) {
        try {
          await launch();
          started = true;
          return;
        } catch (error) {
          // a restart must come back on its port (the balancer looks there); a first start may move
          const taken = /EADDRINUSE|in use/i.test(String(error));
          if (started || !taken || attempt === 3) throw error;
          choosePort();
        }
      }
    },
    stop: () => exit("SIGTERM"),
    kill: async () => {
      await exit("SIGKILL");
    },
    output: () => output,
  };
}
