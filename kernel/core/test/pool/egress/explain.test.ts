import { describe, expect, it } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { onCleanup, tempDir } from "@buntime/test-kit/fixtures";
import { skipWithoutSystemTool } from "@buntime/test-kit/system";
import { applyProxyEnv, EgressRefusedError, explainEgressDenials } from "../../../src/pool/egress/index.ts";
import { forwarderTo, startTestProxy, startUpstream } from "./support.ts";

const noOpenssl = skipWithoutSystemTool({ command: "openssl", debianPackage: "openssl" });

/** A TLS upstream on 127.0.0.1 with a fresh self-signed certificate for api.test. */
async function startTlsUpstream(): Promise<{ port: number; cert: string }> {
  const dir = tempDir("buntime-egress-tls-");
  const made = Bun.spawnSync(
    [
      "openssl",
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-days",
      "1",
    ]
      .concat(["-subj", "/CN=api.test", "-addext", "subjectAltName=DNS:api.test"])
      .concat(["-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem")]),
    { stderr: "pipe" },
  );
  if (made.exitCode !== 0) throw new Error(`openssl failed: ${made.stderr.toString()}`);
  const cert = readFileSync(join(dir, "cert.pem"), "utf8");
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    tls: { cert, key: readFileSync(join(dir, "key.pem"), "utf8") },
    fetch: (request) => new Response(`tls ${new URL(request.url).pathname}`),
  });
  onCleanup(() => server.stop(true));
  return { port: server.port as number, cert };
}

describe.skipIf(noOpenssl)("https through CONNECT", () => {
  it("reaches a declared TLS host end to end, the certificate checked by the app", async () => {
    const { port, cert } = await startTlsUpstream();
    const { socketPath } = await startTestProxy({ hosts: [`api.test:${port}`, `127.0.0.1:${port}`] });
    const proxy = await forwarderTo(socketPath);
    const response = await fetch(`https://api.test:${port}/secure`, { proxy, tls: { ca: cert } });
    expect(await response.text()).toBe("tls /secure");
  });

  it("shows how Bun's fetch reports a refused tunnel: the reason only in the error's headers", async () => {
    const { port } = await startTlsUpstream();
    const { socketPath } = await startTestProxy({ hosts: [] });
    const proxy = await forwarderTo(socketPath);
    const error = (await fetch(`https://evil.test:${port}/`, { proxy }).catch((e) => e)) as Error & {
      code: string;
      headers: Headers;
    };
    expect(error.code).toBe("ERR_PROXY_TUNNEL");
    expect(error.message).toBe("Proxy refused to open a tunnel: 403 Forbidden");
    expect(error.headers.get("x-buntime-error")).toStartWith("BUNTIME_ERR_POOL_EGRESS_DENIED: ");
  });
});

describe("explainEgressDenials", () => {
  async function explainedFetch(hosts: string[]): Promise<typeof fetch> {
    const { socketPath } = await startTestProxy({ hosts });
    const proxy = await forwarderTo(socketPath);
    const target = {
      fetch: ((input: string, init?: RequestInit) => fetch(input, { ...init, proxy })) as typeof fetch,
    };
    explainEgressDenials(target);
    explainEgressDenials(target);
    return target.fetch;
  }

  it("rethrows a refused CONNECT as an error naming the permission to declare", async () => {
    const explained = await explainedFetch([]);
    const error = (await explained("https://evil.test:4443/").catch((e) => e)) as EgressRefusedError;
    expect(error).toBeInstanceOf(EgressRefusedError);
    expect(error.code).toBe("BUNTIME_ERR_POOL_EGRESS_DENIED");
    expect(error.status).toBe(403);
    expect(error.message).toBe(
      'app todo@1.2.0 may not reach evil.test:4443: declare it in permissions.network (e.g. "evil.test:4443")',
    );
    expect((error.cause as { code?: string }).code).toBe("ERR_PROXY_TUNNEL");
  });

  it("throws for a refused plain-http request too, and passes allowed ones unchanged", async () => {
    const { port } = startUpstream();
    const explained = await explainedFetch([`127.0.0.1:${port}`]);
    const error = (await explained("http://evil.test/").catch((e) => e)) as EgressRefusedError;
    expect(error.message).toBe(
      'app todo@1.2.0 may not reach evil.test:80: declare it in permissions.network (e.g. "evil.test")',
    );
    const allowed = await explained(`http://127.0.0.1:${port}/ok`);
    expect(await allowed.text()).toBe(`GET /ok host=127.0.0.1:${port} body=`);
  });

  it("passes other failures through unchanged", async () => {
    const failure = new TypeError("fetch failed for its own reasons");
    const target = { fetch: (() => Promise.reject(failure)) as unknown as typeof fetch };
    explainEgressDenials(target);
    expect(await target.fetch("http://example.test/").catch((e) => e)).toBe(failure);
  });
});

describe("applyProxyEnv", () => {
  it("points both spellings of the proxy variables at the forwarder, for node:http too, and removes NO_PROXY", () => {
    const env: Record<string, string | undefined> = { NO_PROXY: "*", no_proxy: "*", GREETING: "hi" };
    applyProxyEnv("http://127.0.0.1:4000", env);
    expect(env).toEqual({
      GREETING: "hi",
      HTTP_PROXY: "http://127.0.0.1:4000",
      HTTPS_PROXY: "http://127.0.0.1:4000",
      http_proxy: "http://127.0.0.1:4000",
      https_proxy: "http://127.0.0.1:4000",
      NODE_USE_ENV_PROXY: "1",
    });
  });
});
