import { describe, expect, it } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { nginxConfig, startNginx } from "@buntime/test-kit/nginx";
import { startRedisServer } from "@buntime/test-kit/redis";
import { skipWithoutSystemTool } from "@buntime/test-kit/system";

const noNginx = skipWithoutSystemTool({ command: "nginx", debianPackage: "nginx" });
const noRedis = skipWithoutSystemTool({ command: "redis-server", debianPackage: "redis-server" });

/** A server answering its own name and the X-Real-IP it was sent. */
function upstream(name: string) {
  return Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: (request) => new Response(`${name} ${request.headers.get("x-real-ip")}`),
  });
}

describe.skipIf(noNginx)("startNginx", () => {
  it("spreads requests over the nodes and sends a dead node's share to the others", async () => {
    const nodes = [upstream("a"), upstream("b")];
    const balancer = await startNginx({ upstreams: nodes.map((node) => node.url.href) });
    const seen = async (count: number) => {
      const names: string[] = [];
      for (let i = 0; i < count; i++) names.push(await (await fetch(balancer.url)).text());
      return names;
    };
    const first = await seen(4);
    expect(new Set(first)).toEqual(new Set(["a 127.0.0.1", "b 127.0.0.1"]));
    await nodes[1]?.stop(true);
    expect(new Set(await seen(6))).toEqual(new Set(["a 127.0.0.1"])); // no failed request
    expect(balancer.errors()).toContain("connect() failed");
    nodes[0]?.stop(true);
    await balancer.stop();
    await expect(fetch(balancer.url)).rejects.toThrow();
  });

  it("names what went wrong when nginx cannot start", async () => {
    await expect(startNginx({ upstreams: ["not a host:port"] })).rejects.toThrow(/nginx did not listen.*/s);
  });
});

describe.skipIf(noRedis)("startRedisServer", () => {
  it("starts again on the same port, empty", async () => {
    const redis = await startRedisServer();
    const client = new Bun.RedisClient(redis.url);
    await client.set("k", "v");
    expect(await client.get("k")).toBe("v");
    client.close();
    await redis.restart();
    const again = new Bun.RedisClient(redis.url);
    expect(await again.get("k")).toBeNull();
    again.close();
  });
});

describe.skipIf(noNginx)("the nginx example in docs/scale-out-state.md", () => {
  const page = readFileSync(join(import.meta.dir, "..", "..", "..", "docs", "scale-out-state.md"), "utf8");
  const example = /```nginx\n([\s\S]*?)```/.exec(page)?.[1] ?? "";
  const directives = (config: string) =>
    new Set(
      config
        .split("\n")
        .map((line) => line.trim())
        .filter((line) => /^(proxy_|keepalive )/.test(line) && !line.includes("_temp_path")),
    );

  it("passes nginx -t", () => {
    const dir = mkdtempSync(join(tmpdir(), "buntime-nginx-doc-"));
    try {
      const temp = ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map(
        (name) => `${name}_temp_path ${join(dir, name)};`,
      );
      const file = join(dir, "nginx.conf");
      writeFileSync(
        file,
        `pid ${join(dir, "pid")};\nerror_log ${join(dir, "error.log")};\nevents {}\nhttp {\n${temp.join("\n")}\n${example}}\n`,
      );
      const check = Bun.spawnSync(["nginx", "-t", "-c", file, "-p", dir, "-e", join(dir, "error.log")]);
      expect(check.stderr.toString()).toContain("test is successful");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("says what the tests run", () => {
    const tested = nginxConfig({ upstreams: ["127.0.0.1:1"] }, { port: 1, dir: "/tmp" });
    expect(directives(example)).toEqual(directives(tested));
  });
});
