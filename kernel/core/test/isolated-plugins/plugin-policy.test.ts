/**
 * `pluginPolicy`: a plugin installed in the home that no trusted publisher signed runs as its
 * manifest says (`allow`), is forced into isolated mode (`isolate`), or fails to start
 * (`refuse`); a publisher signature over the lockfile's integrity that verifies with a key in
 * `trustedPublishers` makes it trusted; folders the operator names are trusted.
 */
import { afterEach, describe, expect, it } from "bun:test";
import { generateKeyPairSync, sign } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createKernel, type KernelConfigOptions } from "@buntime/kernel";
import { cleanUp, get, openTempDir, startKernel, writePlugin } from "./support.ts";

afterEach(cleanUp);
const INTEGRITY = "sha512-dGVzdA==";

function publisherKeys() {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const der = publicKey.export({ type: "spki", format: "der" });
  const keyid = `SHA256:${new Bun.CryptoHasher("sha256").update(der).digest("base64").replace(/=+$/, "")}`;
  return {
    keyid,
    publicKey: publicKey.export({ type: "spki", format: "pem" }).toString(),
    sign: (text: string) => sign(null, Buffer.from(text), privateKey).toString("base64"),
  };
}

/** A home with `name` installed (in `<home>/plugins` and its lockfile), maybe signed by a publisher. */
function installedHome(
  manifest: Record<string, unknown>,
  { publisher, hook }: { publisher?: { keyid: string; sig: string }; hook?: string } = {},
) {
  const home = openTempDir("buntime-policy-");
  const folder = join(home, "plugins", "notes", "1.0.0");
  mkdirSync(folder, { recursive: true });
  const dir = writePlugin(home, "notes", { base: "/notes", ...manifest }, { hook, folder });
  const entry = {
    version: "1.0.0",
    integrity: INTEGRITY,
    ...(publisher ? { publisher: { name: "acme", ...publisher } } : {}),
  };
  writeFileSync(
    join(home, "plugins", "lock.json"),
    JSON.stringify({ lockfileVersion: 1, plugins: { notes: entry } }),
  );
  return { home, dir };
}

const policy = (untrusted: "allow" | "isolate" | "refuse", extra: Record<string, unknown> = {}) =>
  ({ pluginPolicy: { untrusted, isolation: "thread", ...extra } }) as KernelConfigOptions;

describe("pluginPolicy for plugins installed without a trusted publisher's signature", () => {
  it("allow (the default): runs it as its manifest says, in the kernel", async () => {
    const { home } = installedHome({});
    const { kernel, url } = await startKernel({ home });
    expect((await get(url, "/notes/")).body.appsDir).toBe(join(home, "apps"));
    expect(kernel.plugins()[0]).not.toHaveProperty("mode");
  });

  it("isolate: runs it in the pool instead, and says so in its status", async () => {
    const { home } = installedHome({});
    const { kernel, url } = await startKernel({ home, ...policy("isolate") });
    const { status, body } = await get(url, "/notes/hello");
    expect(status).toBe(200);
    expect(body).toMatchObject({ appsDir: "", pathname: "/hello" });
    expect(kernel.plugins()[0]).toMatchObject({ name: "notes", status: "running", mode: "isolated" });
  });

  it("isolate: a forced plugin that provides services fails to start, saying why it was isolated", async () => {
    const { home } = installedHome({ provides: ["notes"] });
    const { kernel, url } = await startKernel({ home, ...policy("isolate") });
    const [status] = kernel.plugins();
    expect(status).toMatchObject({ name: "notes", status: "failed" });
    expect(status?.error).toContain("an isolated plugin cannot provide services (provides: notes)");
    expect(status?.error).toContain(
      'pluginPolicy.untrusted is "isolate" and it is installed without a publisher signature',
    );
    expect((await get(url, "/notes/")).status).toBe(404);
  });

  it("isolate: a forced plugin with a pipeline hook answers 502 naming the hook", async () => {
    const { home } = installedHome({}, { hook: "onRequest" });
    const lines: string[] = [];
    const { url } = await startKernel({ home, ...policy("isolate") }, [], (entry) =>
      lines.push(entry.message),
    );
    expect(lines).toContain(
      'runs isolated in the thread tier: pluginPolicy.untrusted is "isolate" and it is installed without a publisher signature; only fetch, routes and onShutdown run there',
    );
    const { status, text } = await get(url, "/notes/");
    expect(status).toBe(502);
    expect(text).toContain("the onRequest hook is not available to an isolated plugin");
    // the hook never ran in the kernel: other paths are untouched
    expect((await get(url, "/_/api/health")).status).toBe(200);
  });

  it("refuse: it fails to start with the reason, and the kernel goes on", async () => {
    const { home, dir } = installedHome({});
    const { kernel, url } = await startKernel({ home, ...policy("refuse") });
    const [status] = kernel.plugins();
    expect(status?.status).toBe("failed");
    expect(status?.error).toContain(
      'notes@1.0.0 is refused: it is installed without a publisher signature, and pluginPolicy.untrusted is "refuse"',
    );
    expect((await get(url, "/notes/")).status).toBe(404);
    // loading the installed folder while running follows the policy too
    await kernel.unload("notes");
    await expect(kernel.load(dir)).rejects.toThrow(
      "is refused: it is installed without a publisher signature",
    );
  });

  it("a plugin folder the operator names is trusted whatever the policy", async () => {
    const home = openTempDir("buntime-policy-");
    const dir = writePlugin(join(home, "src"), "notes", { base: "/notes" });
    const { kernel, url } = await startKernel({ home, ...policy("refuse") }, [dir]);
    expect((await get(url, "/notes/")).body.appsDir).toBe(join(home, "apps"));
    expect(kernel.plugins()[0]?.status).toBe("running");
  });
});

describe("trusted publishers", () => {
  it("a plugin signed by a trusted publisher runs as its manifest says, even under refuse", async () => {
    const keys = publisherKeys();
    const { home } = installedHome({}, { publisher: { keyid: keys.keyid, sig: keys.sign(INTEGRITY) } });
    const trusted = policy("refuse", { trustedPublishers: [{ name: "acme", key: keys.publicKey }] });
    const { kernel, url } = await startKernel({ home, ...trusted });
    expect(kernel.plugins()[0]?.status).toBe("running");
    expect((await get(url, "/notes/")).body.appsDir).toBe(join(home, "apps"));
  });

  it("a signature that does not match the integrity, or by a publisher not trusted, counts as untrusted", async () => {
    const keys = publisherKeys();
    const other = publisherKeys();
    const trusted = policy("refuse", { trustedPublishers: [{ name: "acme", key: keys.publicKey }] });
    const forged = installedHome({}, { publisher: { keyid: keys.keyid, sig: keys.sign("sha512-other") } });
    const forgedKernel = await startKernel({ home: forged.home, ...trusted });
    expect(forgedKernel.kernel.plugins()[0]?.error).toContain(
      "a signature by acme that does not match its integrity",
    );
    const stranger = installedHome({}, { publisher: { keyid: other.keyid, sig: other.sign(INTEGRITY) } });
    const strangerKernel = await startKernel({ home: stranger.home, ...trusted });
    expect(strangerKernel.kernel.plugins()[0]?.error).toContain("signed by acme, not a trusted publisher");
  });

  it("a key that is no ed25519 public key is refused in the config, naming where", () => {
    const { privateKey } = generateKeyPairSync("ed25519");
    const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    for (const key of ["not a key", pem]) {
      expect(() =>
        createKernel({
          config: { home: openTempDir("buntime-policy-"), pluginPolicy: { trustedPublishers: [{ key }] } },
        }),
      ).toThrow("pluginPolicy.trustedPublishers[0].key");
    }
  });
});
