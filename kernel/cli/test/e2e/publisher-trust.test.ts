/**
 * `buntime plugin install` records the publisher signature it verified in `lock.json`, so a kernel
 * whose `pluginPolicy.trustedPublishers` holds that publisher's key trusts the installed plugin
 * (and one whose list does not, does not).
 */
import { afterAll, afterEach, describe, expect, it } from "bun:test";
import { generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createKernel, type Kernel } from "@buntime/kernel";
import { cleanUp, cli, liveRegistry, seed, workspace, writePlugin } from "./support.ts";

afterAll(cleanUp);
const kernels: Kernel[] = [];
afterEach(async () => {
  for (const kernel of kernels.splice(0)) await kernel.stop();
});

/** Starts a kernel on `home` that refuses untrusted installed plugins and trusts `key`. */
async function refusingKernel(home: string, key: string) {
  const kernel = createKernel({
    config: {
      home,
      port: 0,
      hostname: "127.0.0.1",
      pluginPolicy: { untrusted: "refuse", isolation: "thread", trustedPublishers: [{ name: "ada", key }] },
    },
    logSink: () => {},
  });
  kernels.push(kernel);
  await kernel.start();
  return { kernel, url: await kernel.listen() };
}

describe("a plugin installed from the registry with its publisher's signature", () => {
  it("is recorded with that signature in lock.json, and a kernel trusting the publisher runs it under refuse", async () => {
    const dir = workspace();
    const registry = await liveRegistry(dir);
    const reg = ["--registry", registry.url];
    const env = { BUNTIME_REGISTRY_PASSWORD: "correct horse battery" };
    expect((await cli(["login", "--user", "ada", ...reg], dir, env)).code).toBe(0);
    const generated = JSON.parse((await cli(["keys", "generate", "--json"], dir)).stdout);
    expect((await cli(["keys", "register", ...reg], dir)).code).toBe(0);
    const folder = writePlugin(dir, { name: "@e2e/signed", version: "1.0.0" });
    expect((await cli(["plugin", "publish", folder, ...reg], dir)).code).toBe(0);

    const home = join(dir, "home");
    const installed = await cli(
      ["plugin", "install", "@e2e/signed", ...reg, "--home", home, "--signatures", "publisher"],
      dir,
    );
    expect(installed.code).toBe(0);
    const lock = JSON.parse(readFileSync(join(home, "plugins", "lock.json"), "utf8"));
    expect(lock.plugins["@e2e/signed"]).toMatchObject({
      version: "1.0.0",
      integrity: expect.stringMatching(/^sha512-/),
      publisher: { name: "ada", keyid: generated.keyid, sig: expect.any(String) },
    });

    const trusted = await refusingKernel(home, readFileSync(generated.publicKey, "utf8"));
    expect(trusted.kernel.plugins()[0]).toMatchObject({ name: "@e2e/signed", status: "running" });
    expect(await (await fetch(new URL("/signed/", trusted.url))).text()).toBe("@e2e/signed@1.0.0");
    await trusted.kernel.stop();

    // the same install under a kernel that trusts someone else: refused, naming the signer
    const stranger = generateKeyPairSync("ed25519").publicKey.export({ type: "spki", format: "pem" });
    const untrusted = await refusingKernel(home, stranger.toString());
    const [status] = untrusted.kernel.plugins();
    expect(status?.status).toBe("failed");
    expect(status?.error).toContain("installed signed by ada, not a trusted publisher");
  }, 60_000);

  it("an install with no publisher signature records none, so it stays untrusted", async () => {
    const dir = workspace();
    const registry = await liveRegistry(dir);
    const folder = writePlugin(dir, { name: "@e2e/plain", version: "1.0.0" });
    await seed(registry, folder);
    const home = join(dir, "home");
    const installed = await cli(
      ["plugin", "install", "@e2e/plain", "--registry", registry.url, "--home", home],
      dir,
    );
    expect(installed.code).toBe(0);
    const lock = JSON.parse(readFileSync(join(home, "plugins", "lock.json"), "utf8"));
    expect(lock.plugins["@e2e/plain"]).not.toHaveProperty("publisher");
  }, 60_000);
});
