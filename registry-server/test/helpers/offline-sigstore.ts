import { afterAll } from "bun:test";
import { createHash, generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { join } from "node:path";

/**
 * `npm audit signatures` asks Sigstore's TUF repository (tuf-repo-cdn.sigstore.dev) for a
 * registry's keys before it falls back to the registry's own `/-/npm/v1/keys`. This machine has
 * no internet, so this stands in for that repository: a TUF repository with its own root key
 * (trusted by writing its root.json into npm's TUF cache) that has no target for our registry,
 * served over TLS (a test CA given to node through NODE_EXTRA_CA_CERTS) behind an HTTP CONNECT
 * proxy that npm reaches through `https_proxy`. npm then takes the keys from the registry.
 */
export interface OfflineSigstore {
  /** Environment for npm: proxy, no_proxy for loopback, the test CA. */
  env: Record<string, string>;
  /** Writes the trusted root.json into the TUF cache under this npm cache folder. */
  trustIn(npmCache: string): void;
}

const CDN_HOST = "tuf-repo-cdn.sigstore.dev";

/** OLPC canonical JSON, the form TUF signs: sorted keys, no whitespace. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  // Canonical JSON escapes only backslashes and double quotes (a PEM keeps its raw newlines).
  if (typeof value === "string") return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
  return JSON.stringify(value);
}

function tufRepository(): Map<string, string> {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const pem = publicKey.export({ type: "spki", format: "pem" }).toString();
  const keyid = createHash("sha256").update(pem).digest("hex");
  const expires = new Date(Date.now() + 86_400_000).toISOString().replace(/\.\d+Z$/, "Z");
  const envelope = (signed: Record<string, unknown>, key: KeyObject) =>
    JSON.stringify({
      signed,
      signatures: [{ keyid, sig: sign(null, Buffer.from(canonical(signed)), key).toString("hex") }],
    });
  const role = { keyids: [keyid], threshold: 1 };
  const common = { spec_version: "1.0.31", version: 1, expires };
  return new Map([
    [
      "/root.json",
      envelope(
        {
          _type: "root",
          ...common,
          consistent_snapshot: true,
          keys: { [keyid]: { keytype: "ed25519", scheme: "ed25519", keyval: { public: pem } } },
          roles: { root: role, timestamp: role, snapshot: role, targets: role },
        },
        privateKey,
      ),
    ],
    [
      "/timestamp.json",
      envelope({ _type: "timestamp", ...common, meta: { "snapshot.json": { version: 1 } } }, privateKey),
    ],
    [
      "/1.snapshot.json",
      envelope({ _type: "snapshot", ...common, meta: { "targets.json": { version: 1 } } }, privateKey),
    ],
    ["/1.targets.json", envelope({ _type: "targets", ...common, targets: {} }, privateKey)],
  ]);
}

async function testCertificates(dir: string): Promise<{ ca: string; key: string; cert: string }> {
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  await Bun.$`openssl req -x509 ${ec} -keyout ca.key -out ca.crt -days 2 -subj /CN=buntime-test-ca`
    .cwd(dir)
    .quiet();
  await Bun.$`openssl req ${ec} -keyout cdn.key -out cdn.csr -subj /CN=${CDN_HOST}`.cwd(dir).quiet();
  writeFileSync(join(dir, "san.ext"), `subjectAltName=DNS:${CDN_HOST}\n`);
  await Bun.$`openssl x509 -req -in cdn.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out cdn.crt -days 2 -extfile san.ext`
    .cwd(dir)
    .quiet();
  return {
    ca: join(dir, "ca.crt"),
    key: await Bun.file(join(dir, "cdn.key")).text(),
    cert: await Bun.file(join(dir, "cdn.crt")).text(),
  };
}

/** Starts the stand-in TUF CDN and the CONNECT proxy in front of it; stopped after the file. */
export async function startOfflineSigstore(dir: string): Promise<OfflineSigstore> {
  mkdirSync(dir, { recursive: true });
  const files = tufRepository();
  const { ca, key, cert } = await testCertificates(dir);
  const cdn = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    tls: { key, cert },
    fetch(request) {
      const body = files.get(new URL(request.url).pathname);
      return body
        ? new Response(body, { headers: { "content-type": "application/json" } })
        : new Response("", { status: 404 });
    },
  });
  // The proxy only tunnels CONNECTs for the CDN host to the local TLS server.
  const proxy = createServer((client) => {
    client.once("data", (head) => {
      const [, target] = /^CONNECT ([^\s]+) HTTP/.exec(head.toString("latin1")) ?? [];
      if (target !== `${CDN_HOST}:443`) {
        client.end("HTTP/1.1 403 Forbidden\r\n\r\n");
        return;
      }
      const upstream = connect(cdn.port as number, "127.0.0.1", () => {
        client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
        client.pipe(upstream).pipe(client);
      });
      upstream.on("error", () => client.destroy());
      client.on("error", () => upstream.destroy());
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  const address = proxy.address();
  const port = typeof address === "object" && address ? address.port : 0;
  afterAll(async () => {
    await new Promise<void>((resolve) => proxy.close(() => resolve()));
    await cdn.stop(true);
  });
  return {
    env: {
      https_proxy: `http://127.0.0.1:${port}`,
      no_proxy: "127.0.0.1,localhost",
      NODE_EXTRA_CA_CERTS: ca,
    },
    trustIn(npmCache) {
      const tufDir = join(npmCache, "_tuf", encodeURIComponent(CDN_HOST));
      mkdirSync(join(tufDir, "targets"), { recursive: true });
      writeFileSync(join(tufDir, "root.json"), files.get("/root.json") as string);
    },
  };
}
