import { describe, expect, it } from "bun:test";
import { skipWithoutSandbox } from "@buntime/test-kit/system";
import { proxyEnv, SANDBOX_PROXY_PORT } from "../../../src/pool/egress/index.ts";
import { startTestProxy, startUpstream } from "./support.ts";

const noBwrap = skipWithoutSandbox();
const CHILD = new URL("./fixtures/sandbox-child.ts", import.meta.url).pathname;

describe.skipIf(noBwrap)("from inside a sandbox without network (bwrap --unshare-net)", () => {
  it("reaches a declared host only through the proxy, and an undeclared one fails naming the permission", async () => {
    const { port } = startUpstream();
    const { socketPath, dir } = await startTestProxy({ hosts: [], alwaysAllow: [`127.0.0.1:${port}`] });
    const child = Bun.spawn(
      [
        "bwrap",
        "--ro-bind",
        "/",
        "/",
        "--unshare-net",
        "--bind",
        dir,
        dir,
        "--dev",
        "/dev",
        "--proc",
        "/proc",
      ].concat(["--", process.execPath, CHILD, socketPath, String(port)]),
      {
        stdout: "pipe",
        stderr: "pipe",
        // As the launcher should: the proxy variables from the start, for node:http(s).
        env: {
          PATH: process.env.PATH ?? "/usr/bin:/bin",
          ...proxyEnv(`http://127.0.0.1:${SANDBOX_PROXY_PORT}`),
        },
      },
    );
    const timer = setTimeout(() => child.kill(), 15_000);
    const [out, err, code] = await Promise.all([
      new Response(child.stdout).text(),
      new Response(child.stderr).text(),
      child.exited,
    ]);
    clearTimeout(timer);
    expect({ code, err }).toEqual({ code: 0, err: "" });
    expect(JSON.parse(out)).toEqual({
      before: "ECONNREFUSED",
      allowed: `GET /from-sandbox host=127.0.0.1:${port} body=`,
      denied:
        'EgressRefusedError: app todo@1.2.0 may not reach evil.test:443: declare it in permissions.network (e.g. "evil.test")',
      deniedHttp:
        'EgressRefusedError: app todo@1.2.0 may not reach 169.254.169.254:80: declare it in permissions.network (e.g. "169.254.169.254")',
      webSocket: "echo hi",
      nodeHttp: `200 GET /node-http host=127.0.0.1:${port} body=`,
      nodeHttps: expect.stringContaining("Failed to establish tunnel to evil.test:443 via http://127.0.0.1:"),
    });
  }, 20_000);
});
