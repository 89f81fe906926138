import { afterAll } from "bun:test";
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";

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

/**
 * Starts a throwaway PostgreSQL on a free loopback port for this test file and returns its
 * URL; the server and its folder go away after the file. As root it runs as user postgres.
 */
export async function startPostgres(): Promise<string> {
  const bin = binaries();
  const dir = mkdtempSync(join(tmpdir(), "buntime-storage-pg-"));
  const asUser = userInfo().uid === 0 ? ["runuser", "-u", "postgres", "--"] : [];
  if (asUser.length > 0) {
    const [uid, gid] = (await Bun.$`id -u postgres; id -g postgres`.text()).trim().split("\n").map(Number);
    chownSync(dir, uid as number, gid as number);
  }
  const data = join(dir, "data");
  const init = Bun.spawnSync([
    ...asUser,
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
  const server = Bun.spawn(
    [...asUser, join(bin, "postgres"), "-D", data, "-p", String(port), "-k", dir].concat([
      "-c",
      "listen_addresses=127.0.0.1",
      "-c",
      "fsync=off",
      "-c",
      "max_connections=100",
    ]),
    { stdout: "ignore", stderr: "pipe" },
  );
  afterAll(async () => {
    // SIGQUIT to the postmaster itself: runuser does not pass signals on.
    const pidFile = join(data, "postmaster.pid");
    const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, "utf8").split("\n")[0]) : 0;
    if (pid > 0) process.kill(pid, "SIGQUIT");
    else server.kill("SIGKILL");
    await server.exited;
    rmSync(dir, { recursive: true, force: true });
  });
  // Postgres says so on stderr once it accepts connections: await that line, not a poll.
  const reader = server.stderr.getReader();
  const decoder = new TextDecoder();
  let said = "";
  const timer = setTimeout(() => reader.cancel("postgres took over 20 s to start"), 20_000);
  try {
    for (let chunks = 0; chunks < 10_000; chunks++) {
      const { done, value } = await reader.read();
      if (done) break;
      said += decoder.decode(value, { stream: true });
      if (said.includes("ready to accept connections")) {
        reader.releaseLock();
        // Keep reading what postgres logs, or a full pipe would stall it.
        server.stderr.pipeTo(new WritableStream()).catch(() => {});
        return `postgres://postgres@127.0.0.1:${port}/postgres`;
      }
    }
  } finally {
    clearTimeout(timer);
  }
  server.kill("SIGKILL");
  throw new Error(`postgres did not start: ${said}`);
}
