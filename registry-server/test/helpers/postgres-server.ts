import { afterAll } from "bun:test";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";

/** A throwaway PostgreSQL server on loopback. */
export interface TestPostgres {
  url: string;
  stop(): Promise<void>;
}

/** The folder of Debian's PostgreSQL binaries, newest version first. Throws when absent. */
function postgresBin(): string {
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  const bin = versions.map((v) => join(root, v, "bin")).find((dir) => existsSync(join(dir, "postgres")));
  if (!bin) {
    throw new Error(
      "PostgreSQL server binaries not found under /usr/lib/postgresql (apt-get install -y postgresql)",
    );
  }
  return bin;
}

async function freePort(): Promise<number> {
  const probe = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const { port } = probe;
  probe.stop(true);
  return port;
}

/**
 * Starts a PostgreSQL server in a temp folder on a free loopback port (as the `postgres`
 * user when running as root, since postgres refuses root), and stops it after the file.
 */
export async function startTestPostgres(): Promise<TestPostgres> {
  const bin = postgresBin();
  const dir = mkdtempSync(join(tmpdir(), "buntime-pg-"));
  const asRoot = userInfo().uid === 0;
  const prefix = asRoot ? ["runuser", "-u", "postgres", "--"] : [];
  if (asRoot) {
    const { uid, gid } = await Bun.$`id -u postgres && id -g postgres`.text().then((out) => {
      const [u, g] = out.trim().split("\n").map(Number);
      return { uid: u as number, gid: g as number };
    });
    chownSync(dir, uid, gid);
  }
  const data = join(dir, "data");
  const init = Bun.spawnSync(
    [...prefix, join(bin, "initdb"), "-D", data, "-A", "trust", "-U", "postgres", "--no-sync"],
    {
      stdout: "pipe",
      stderr: "pipe",
    },
  );
  if (init.exitCode !== 0) throw new Error(`initdb failed: ${init.stderr.toString()}`);
  const port = await freePort();
  const server = Bun.spawn(
    [
      ...prefix,
      join(bin, "postgres"),
      "-D",
      data,
      "-p",
      String(port),
      "-k",
      dir,
      "-c",
      "listen_addresses=127.0.0.1",
      "-c",
      "fsync=off",
    ],
    { stdout: "ignore", stderr: "pipe" },
  );
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const stop = async () => {
    // Immediate shutdown of the postmaster itself (runuser would not pass a signal on).
    const pid = existsSync(join(data, "postmaster.pid"))
      ? Number((await Bun.file(join(data, "postmaster.pid")).text()).split("\n")[0])
      : 0;
    if (pid > 0) process.kill(pid, "SIGQUIT");
    else server.kill("SIGKILL");
    await server.exited;
    rmSync(dir, { recursive: true, force: true });
  };
  afterAll(stop);
  const deadline = Date.now() + 20_000;
  while (true) {
    const ready = Bun.spawnSync([join(bin, "pg_isready"), "-h", "127.0.0.1", "-p", String(port)]);
    if (ready.exitCode === 0) break;
    if (server.exitCode !== null || Date.now() > deadline) {
      throw new Error(`postgres did not start: ${await new Response(server.stderr).text()}`);
    }
    await Bun.sleep(100);
  }
  return { url, stop };
}
