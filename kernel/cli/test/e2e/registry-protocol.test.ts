import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import {
  type CachedPackument,
  createRegistryClient,
  generatePublisherKeys,
  type Packument,
  type PackumentCache,
  packPlugin,
  resolveVersion,
  signIntegrity,
  verifyPublisherSignature,
  verifyRegistrySignature,
} from "@buntime/supply";
import { cleanUp, cli, liveRegistry, workspace, writePlugin } from "./support.ts";

afterAll(cleanUp);

const dir = workspace();
let registry = "";
let token = "";

beforeAll(async () => {
  registry = (await liveRegistry(dir)).url;
  token = await createRegistryClient({ registry }).login("grace", "a long password", "grace@example.com");
}, 30_000);

describe("the sdk registry client against the live registry", () => {
  it("publishes a signed plugin whose registry and publisher signatures both verify", async () => {
    const client = createRegistryClient({ registry, token });
    expect(await client.whoami()).toBe("grace");
    const keys = generatePublisherKeys();
    expect(await client.registerPublisherKey(keys.publicKey)).toBe(keys.keyid);
    const packed = packPlugin(writePlugin(dir, { name: "signed", version: "1.0.0" }));
    await client.publish(packed, { publisherSignature: signIntegrity(keys.privateKey, packed.integrity) });

    const packument = await client.packument("signed");
    expect(packument?.name).toBe("signed");
    const doc = resolveVersion(packument as NonNullable<typeof packument>, "^1", "0.1.0");
    expect(doc.dist.integrity).toBe(packed.integrity);
    const registryKeys = await client.registryKeys();
    expect(
      verifyRegistrySignature("signed", "1.0.0", doc.dist.integrity, doc.dist.signatures ?? [], registryKeys)
        .keyid,
    ).toBe(registryKeys[0]?.keyid as string);
    const publisherSignatures = doc.dist.publisherSignatures ?? [];
    expect(publisherSignatures[0]?.publisher).toBe("grace");
    const publisherKeys = await client.publisherKeys("grace");
    expect(
      verifyPublisherSignature("signed@1.0.0", doc.dist.integrity, publisherSignatures, publisherKeys).keyid,
    ).toBe(keys.keyid);
    const bytes = await client.tarball(doc.dist.tarball, doc.dist.integrity, "signed@1.0.0");
    expect(Buffer.from(bytes).equals(Buffer.from(packed.tarball))).toBe(true);
  }, 20_000);

  it("revalidates a cached packument with the registry's ETag and gets a 304", async () => {
    const stored = new Map<string, CachedPackument>();
    const cache: PackumentCache = {
      get: (key) => stored.get(key),
      set: (key, value) => void stored.set(key, value),
    };
    const statuses: number[] = [];
    const recording = (async (input: RequestInfo | URL, init?: RequestInit) => {
      const response = await fetch(input, init);
      statuses.push(response.status);
      return response;
    }) as typeof fetch;
    const client = createRegistryClient({ registry, cache, fetch: recording });
    const first = await client.packument("signed");
    expect([...stored.values()][0]?.etag).toBeTruthy();
    expect(await client.packument("signed")).toEqual(first as Packument);
    expect(statuses).toEqual([200, 304]);
  }, 20_000);

  it("refuses a republish of the same version, with the registry's reason", async () => {
    const client = createRegistryClient({ registry, token });
    const packed = packPlugin(writePlugin(dir, { name: "once", version: "1.0.0" }));
    await client.publish(packed);
    await expect(client.publish(packed)).rejects.toThrow(
      "answered 409 to publish once@1.0.0: once@1.0.0 was already published; versions are immutable [BUNTIME_ERR_REGISTRY_VERSION_EXISTS]",
    );
  }, 20_000);
});

describe("signing in with the CLI", () => {
  it("reads the password from the first line of stdin and saves a token that whoami uses", async () => {
    const login = await cli(
      ["login", "--user", "linus", "--registry", registry],
      dir,
      {},
      "a long password\nignored\n",
    );
    expect(login.stdout).toContain(`logged in as linus to ${registry}`);
    expect(login.code).toBe(0);
    expect((await cli(["whoami", "--registry", registry, "--json"], dir)).stdout).toContain(
      '"user": "linus"',
    );
  }, 20_000);

  it("refuses a wrong password with the registry's reason and a hint", async () => {
    const run = await cli(
      ["login", "--user", "linus", "--registry", registry],
      dir,
      {},
      "not the password\n",
    );
    expect(run.stderr).toContain("wrong username, password or token [BUNTIME_ERR_REGISTRY_BAD_CREDENTIALS]");
    expect(run.stderr).toContain("hint: sign in again: buntime login --user <name>");
    expect(run.code).toBe(1);
  }, 20_000);
});

describe("finding plugins with the CLI", () => {
  it("searches the marketplace and shows a plugin's details", async () => {
    const client = createRegistryClient({ registry, token });
    await client.publish(packPlugin(writePlugin(dir, { name: "searchable", version: "1.0.0" })));
    await client.publish(packPlugin(writePlugin(dir, { name: "searchable", version: "1.1.0" })), {
      tag: "next",
    });
    const found = await cli(["plugin", "search", "searchable", "--registry", registry, "--json"], dir);
    expect(JSON.parse(found.stdout).plugins.map((p: { name: string }) => p.name)).toEqual(["searchable"]);
    const info = await cli(
      ["plugin", "info", "searchable", "--registry", registry, "--home", `${dir}/home`],
      dir,
    );
    expect(info.stdout).toContain("searchable@1.1.0");
    expect(info.stdout).toContain("dist-tags: latest=1.0.0, next=1.1.0");
    expect(info.stdout).toContain("versions: 1.1.0, 1.0.0");
    expect(info.stdout).toContain("signed: registry yes, publisher no");
    expect(info.stdout).toContain("installed: no");
    const tagged = await cli(
      ["plugin", "install", "searchable@next", "--registry", registry, "--home", `${dir}/home`, "--json"],
      dir,
    );
    expect(JSON.parse(tagged.stdout).installed[0]).toMatchObject({ name: "searchable", version: "1.1.0" });
  }, 30_000);
});
