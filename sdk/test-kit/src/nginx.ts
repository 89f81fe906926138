/**
 * @buntime/test-kit/nginx: Debian's `nginx` as the load balancer in front of several kernel
 * nodes, on a free loopback port with a temporary config: round robin, passive health
 * (`max_fails`/`fail_timeout`) and `proxy_next_upstream`, so a request a dead or draining node
 * cannot take goes to the next node. Pair it with
 * `skipWithoutSystemTool({ command: "nginx", debianPackage: "nginx" })`.
 */
import { afterAll } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { freeLoopbackPort } from "./ports.ts";

/** What the balancer sends where. */
export interface NginxOptions {
  /** The nodes, as `host:port` (`127.0.0.1:8001`) or URLs (`http://127.0.0.1:8001/`). */
  readonly upstreams: readonly string[];
  /** Seconds a failing node stays out of the rotation (passive health). @default 2 */
  readonly failTimeout?: number;
  /**
   * Failed attempts within `failTimeout` that take a node out. One is too few behind busy nodes:
   * a single slow connect would take out a healthy node. @default 2
   */
  readonly maxFails?: number;
}

/** What `nginxConfig` writes into the config besides the options. */
export interface NginxPlace {
  /** The port nginx listens on (127.0.0.1). */
  readonly port: number;
  /** A folder for its pid file, logs and temporary bodies. */
  readonly dir: string;
}

/** A running nginx. */
export interface TestNginx {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** The master process's id (its worker is its child), e.g. to read its CPU time. */
  readonly pid: number;
  /** The config it runs with. */
  readonly config: string;
  /** Its error log so far (a node it marked down shows there). */
  errors(): string;
  stop(): Promise<void>;
}

const hostPort = (upstream: string) => (upstream.includes("//") ? new URL(upstream).host : upstream);

/**
 * The config: one upstream group of `upstreams` (keep-alive connections to them), and a server
 * on `port` that passes every request on with the client's address in `X-Real-IP` (for the
 * kernel's `trustProxy`), and retries a request a node refused, reset, timed out or answered
 * 502/503/504 on the next node (idempotent methods only, as nginx does by default).
 */
export function nginxConfig(options: NginxOptions, place: NginxPlace): string {
  const failTimeout = options.failTimeout ?? 2;
  const maxFails = options.maxFails ?? 2;
  const servers = options.upstreams
    .map((upstream) => `    server ${hostPort(upstream)} max_fails=${maxFails} fail_timeout=${failTimeout}s;`)
    .join("\n");
  const temp = (name: string) => `${name}_temp_path ${join(place.dir, name)};`;
  return `daemon off;
${userInfo().uid === 0 ? "user root;\n" : ""}worker_processes 1;
pid ${join(place.dir, "nginx.pid")};
error_log ${join(place.dir, "error.log")} warn;
events { worker_connections 4096; }
http {
  access_log off;
  ${["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map(temp).join("\n  ")}
  upstream buntime {
${servers}
    keepalive 64;
  }
  server {
    listen 127.0.0.1:${place.port};
    location / {
      proxy_pass http://buntime;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Real-IP $remote_addr;
      proxy_next_upstream error timeout http_502 http_503 http_504;
      proxy_next_upstream_timeout 10s;
      proxy_connect_timeout 1s;
      proxy_read_timeout 60s;
    }
  }
}
`;
}

/** Resolves once something accepts connections on `port`; rejects after `ms`. */
async function untilAccepting(port: number, ms: number, exited: () => boolean): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline && !exited()) {
    const accepted = await Bun.connect({ hostname: "127.0.0.1", port, socket: { data() {} } }).then(
      (socket) => {
        socket.end();
        return true;
      },
      () => false,
    );
    if (accepted) return;
    await Bun.sleep(25);
  }
  throw new Error(`nginx did not listen on 127.0.0.1:${port} within ${ms} ms`);
}

/**
 * Starts nginx in front of `upstreams` on a free loopback port, stopped (and its folder removed)
 * after the test file.
 *
 * @example
 * const balancer = await startNginx({ upstreams: nodes.map((node) => node.url) });
 * await fetch(`${balancer.url}/api/x`);
 */
export async function startNginx(options: NginxOptions): Promise<TestNginx> {
  if (!Bun.which("nginx")) throw new Error("nginx not found: apt-get install -y nginx");
  const dir = mkdtempSync(join(tmpdir(), "buntime-nginx-"));
  const port = freeLoopbackPort();
  const config = nginxConfig(options, { port, dir });
  const file = join(dir, "nginx.conf");
  writeFileSync(file, config);
  // -e: nginx's own startup errors into the folder, not /var/log (which a test may not write)
  const server = Bun.spawn(["nginx", "-c", file, "-p", dir, "-e", join(dir, "startup.log")], {
    stdin: "ignore",
    stdout: "ignore",
    stderr: "pipe",
  });
  let exited = false;
  void server.exited.then(() => {
    exited = true;
  });
  const read = (name: string) => {
    try {
      return readFileSync(join(dir, name), "utf8");
    } catch {
      return "";
    }
  };
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      server.kill("SIGTERM"); // fast shutdown of the master and its worker
      const late = setTimeout(() => server.kill("SIGKILL"), 5000);
      await server.exited;
      clearTimeout(late);
      rmSync(dir, { recursive: true, force: true });
    })();
    return stopped;
  };
  afterAll(stop);
  try {
    await untilAccepting(port, 10_000, () => exited);
  } catch (error) {
    const said = `${read("startup.log")}${read("error.log")}${await new Response(server.stderr).text()}`;
    await stop();
    throw new Error(`${(error as Error).message}: ${said}`);
  }
  return { url: `http://127.0.0.1:${port}`, pid: server.pid, config, errors: () => read("error.log"), stop };
}
