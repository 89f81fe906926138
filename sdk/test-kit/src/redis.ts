/**
 * @buntime/test-kit/redis: a throwaway Debian `redis-server` on a free loopback port, without
 * persistence, for tests of state shared through Redis (rate limits, change hints). Pair it with
 * `skipWithoutSystemTool({ command: "redis-server", debianPackage: "redis-server" })`.
 */
import { afterAll } from "bun:test";
import { freeLoopbackPort, untilLine } from "./ports.ts";

/** A redis-server the test can stop and start again on the same port. */
export interface TestRedis {
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  stop(): Promise<void>;
  /** Stops it if it runs, and starts it again on the same port, empty (nothing was persisted). */
  restart(): Promise<void>;
  /** Freezes the server (SIGSTOP): connections stay open, nothing answers. */
  pause(): void;
  /** Thaws it (SIGCONT). */
  resume(): void;
}

/**
 * Starts Debian's redis-server on a free loopback port for this test file (no persistence),
 * stopped after the file.
 *
 * @example
 * const redis = await startRedisServer();
 * const kernel = await createTestKernel({ config: { plugins: { "@buntime/plugin-ratelimit": { store: "redis", redisUrl: redis.url } } } });
 */
export async function startRedisServer(): Promise<TestRedis> {
  if (!Bun.which("redis-server")) throw new Error("redis-server not found: apt-get install -y redis-server");
  const port = freeLoopbackPort();
  let server: Bun.Subprocess<"ignore", "pipe", "pipe"> | undefined;
  const start = async () => {
    const spawned = Bun.spawn(
      ["redis-server", "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
      { stdin: "ignore", stdout: "pipe", stderr: "pipe" },
    );
    server = spawned;
    await untilLine(spawned.stdout, "Ready to accept connections", 15_000, "redis-server");
  };
  const stop = async () => {
    if (server?.pid) process.kill(server.pid, "SIGCONT"); // a frozen server must wake to die cleanly
    server?.kill("SIGKILL");
    await server?.exited;
    server = undefined;
  };
  afterAll(stop);
  await start();
  const signal = (name: "SIGSTOP" | "SIGCONT") => {
    if (server?.pid) process.kill(server.pid, name);
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    stop,
    restart: async () => {
      await stop();
      await start();
    },
    pause: () => signal("SIGSTOP"),
    resume: () => signal("SIGCONT"),
  };
}

/** Like `startRedisServer`, when the URL is all a test needs. */
export async function startRedis(): Promise<string> {
  return (await startRedisServer()).url;
}
