import { afterAll } from "bun:test";

function freeLoopbackPort(): number {
  const listener = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const { port } = listener;
  listener.stop(true);
  return port;
}

/** Resolves when `text` shows up on `stream`, rejects after `ms` or when the stream ends. */
async function waitForLine(stream: ReadableStream<Uint8Array>, text: string, ms: number): Promise<string> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let seen = "";
  const timer = setTimeout(() => reader.cancel(`no "${text}" within ${ms} ms`), ms);
  try {
    for (let chunks = 0; chunks < 10_000; chunks++) {
      const { done, value } = await reader.read();
      if (done) break;
      seen += decoder.decode(value, { stream: true });
      if (seen.includes(text)) {
        reader.releaseLock();
        // Keep reading what the server logs, or a full pipe would stall it.
        stream.pipeTo(new WritableStream()).catch(() => {});
        return seen;
      }
    }
    throw new Error(`redis-server did not start: ${seen}`);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Starts Debian's redis-server on a free loopback port for this test file (no persistence) and
 * returns its URL; it is stopped after the file.
 */
export async function startRedis(): Promise<string> {
  return (await startRedisServer()).url;
}

/** A redis-server the test can stop and start again on the same port. */
export interface TestRedis {
  readonly url: string;
  stop(): Promise<void>;
  restart(): Promise<void>;
  /** Freezes the server (SIGSTOP): connections stay open, nothing answers. */
  pause(): void;
  /** Thaws it (SIGCONT). */
  resume(): void;
}

/** Like `startRedis`, with control over the server's life; it is stopped after the file. */
export async function startRedisServer(): Promise<TestRedis> {
  if (!Bun.which("redis-server")) throw new Error("redis-server not found: apt-get install -y redis-server");
  const port = freeLoopbackPort();
  let server: Bun.Subprocess | undefined;
  const start = async () => {
    const spawned = Bun.spawn(
      ["redis-server", "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
      { stdout: "pipe", stderr: "pipe" },
    );
    server = spawned;
    await waitForLine(spawned.stdout, "Ready to accept connections", 15_000);
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
    restart: start,
    pause: () => signal("SIGSTOP"),
    resume: () => signal("SIGCONT"),
  };
}
