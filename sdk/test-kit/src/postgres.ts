/**
 * @buntime/test-kit/postgres: a throwaway PostgreSQL server for tests of backends that keep
 * state in PostgreSQL (registry storage, keyval), from Debian's `postgresql` package.
 */
import { afterAll } from "bun:test";
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";

/** A PostgreSQL server on loopback, removed after the test file. */
export interface TestPostgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (trust authentication). */
  readonly url: string;
  /** Stops it now (it stops after the test file anyway). */
  stop(): Promise<void>;
}

const STARTUP_TIMEOUT_MS = 20_000;

/** The newest Debian PostgreSQL bin folder; throws with the install hint when there is none. */
function binaries(): string {
  const root = "/usr/lib/postgresql";
  const found = existsSync(root)
    ? readdirSync(root)
        .sort((a, b) => Number(b) - Number(a))
        .map((version) => join(root, version, "bin"))
        .find((bin) => existsSync(join(bin, "postgres")))
    : undefined;
  if (!found)
    throw new Error("no PostgreSQL server under /usr/lib/postgresql: apt-get install -y postgresql");
  return found;
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

/**
 * Starts PostgreSQL in a temporary folder on a free loopback port (as user `postgres` when the
 * tests run as root, since postgres refuses root) with fsync off, and removes it after the test
 * file.
 *
 * @example
 * const postgres = await startTestPostgres();
 * const sql = new Bun.SQL(postgres.url);
 */
export async function startTestPostgres(): Promise<TestPostgres> {
  const bin = binaries();
  const dir = mkdtempSync(join(tmpdir(), "buntime-pg-"));
  const asPostgres = userInfo().uid === 0 ? ["runuser", "-u", "postgres", "--"] : [];
  if (asPostgres.length > 0) {
    const [uid, gid] = (await Bun.$`id -u postgres; id -g postgres`.text()).trim().split("\n").map(Number);
    chownSync(dir, uid as number, gid as number);
  }
  const data = join(dir, "data");
  const init = Bun.spawnSync([
    ...asPostgres,
    join(bin, "initdb"),
    "-D",
    data,
    "-A",
    "trust",
    "-U",
    "postgres",
    "--no-sync",
  ]);
  if (init.exitCode !== 0) throw new Error(`initdb failed: ${init.stderr.toString()}`);
  const port = freeLoopbackPort();
  const settings = ["listen_addresses=127.0.0.1", "fsync=off", "max_connections=100"].flatMap((s) => [
    "-c",
    s,
  ]);
  const server = Bun.spawn(
    [...asPostgres, join(bin, "postgres"), "-D", data, "-p", String(port), "-k", dir, ...settings],
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
