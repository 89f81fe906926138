import { describe, expect, it } from "bun:test";
import { call, signUp, startTestRegistry } from "./helpers/registry.ts";
import { packageTgz, publishBody } from "./helpers/tarball.ts";

const registry = await startTestRegistry();
const token = await signUp(registry.base, "author");
const tarball = packageTgz("@team/lib", "1.0.0", {
  dependencies: { "left-pad": "^1.0.0" },
  scripts: { postinstall: "node setup.js", test: "bun test" },
  buntime: { kernel: "^1.0.0" },
});
await call(registry.base, "PUT", "/@team%2flib", { token, body: publishBody("@team/lib", "1.0.0", tarball) });
const ABBREVIATED = "application/vnd.npm.install-v1+json";

describe("packuments", () => {
  it("serves the abbreviated packument to install clients with only install fields", async () => {
    const res = await call(registry.base, "GET", "/@team%2flib", {
      headers: { accept: `${ABBREVIATED}; q=1.0, application/json; q=0.8` },
    });
    expect(res.headers.get("content-type")).toBe(ABBREVIATED);
    const version = res.body.versions["1.0.0"];
    expect(version.dependencies).toEqual({ "left-pad": "^1.0.0" });
    expect(version.hasInstallScript).toBe(true);
    expect(version.scripts).toBeUndefined();
    expect(version.buntime).toEqual({ kernel: "^1.0.0" });
    expect(version.dist.tarball).toBe(`${registry.base}/@team/lib/-/lib-1.0.0.tgz`);
    expect(res.body.readme).toBeUndefined();
  });

  it("serves the full packument with readme, times and registry signatures", async () => {
    const res = await call(registry.base, "GET", "/@team%2flib");
    expect(res.headers.get("content-type")).toStartWith("application/json");
    expect(res.body.readme).toBe("# @team/lib\n");
    expect(Object.keys(res.body.time)).toEqual(["created", "modified", "1.0.0"]);
    const [signature] = res.body.versions["1.0.0"].dist.signatures;
    const { keys } = (await call(registry.base, "GET", "/-/npm/v1/keys")).body;
    expect(signature.keyid).toBe(keys[0].keyid);
    const publicKey = `-----BEGIN PUBLIC KEY-----\n${keys[0].key}\n-----END PUBLIC KEY-----`;
    const message = `@team/lib@1.0.0:${res.body.versions["1.0.0"].dist.integrity}`;
    const { createVerify } = await import("node:crypto");
    expect(createVerify("SHA256").update(message).verify(publicKey, signature.sig, "base64")).toBe(true);
  });

  it("answers 304 to a matching If-None-Match and a new ETag after a change", async () => {
    const first = await call(registry.base, "GET", "/@team%2flib", { headers: { accept: ABBREVIATED } });
    const etag = first.headers.get("etag") ?? "";
    expect(etag).toMatch(/^".+"$/);
    const cached = await fetch(`${registry.base}/@team%2flib`, {
      headers: { accept: ABBREVIATED, "if-none-match": etag },
    });
    expect(cached.status).toBe(304);
    await call(registry.base, "PUT", "/-/package/@team%2flib/dist-tags/beta", { token, body: "1.0.0" });
    const changed = await fetch(`${registry.base}/@team%2flib`, {
      headers: { accept: ABBREVIATED, "if-none-match": etag },
    });
    expect(changed.status).toBe(200);
    expect(changed.headers.get("etag")).not.toBe(etag);
  });

  it("serves one version by number or tag, and 404 with a coded error for unknown ones", async () => {
    expect((await call(registry.base, "GET", "/@team/lib/latest")).body.version).toBe("1.0.0");
    const missing = await call(registry.base, "GET", "/@team/lib/9.9.9");
    expect(missing.status).toBe(404);
    expect(missing.body.error).toEqual({
      code: "BUNTIME_ERR_REGISTRY_VERSION_NOT_FOUND",
      message: "@team/lib@9.9.9 is not in this registry",
    });
    const none = await call(registry.base, "GET", "/nothing-here");
    expect(none.body.error).toEqual({
      code: "BUNTIME_ERR_REGISTRY_PACKAGE_NOT_FOUND",
      message: "nothing-here is not in this registry",
    });
  });

  it("refuses to remove the latest tag or a tag that does not exist", async () => {
    const latest = await call(registry.base, "DELETE", "/-/package/@team%2flib/dist-tags/latest", { token });
    expect(latest.status).toBe(400);
    expect(latest.body.error.message).toBe("invalid dist-tag latest: latest cannot be removed");
    const unknown = await call(registry.base, "DELETE", "/-/package/@team%2flib/dist-tags/nope", { token });
    expect(unknown.body.error.message).toBe("invalid dist-tag nope: @team/lib has no such tag");
  });

  it("refuses a metadata PUT that tries to add a version without a tarball", async () => {
    const doc = (await call(registry.base, "GET", "/@team%2flib?write=true")).body;
    doc.versions["2.0.0"] = { ...doc.versions["1.0.0"], version: "2.0.0" };
    const res = await call(registry.base, "PUT", "/@team%2flib", { token, body: doc });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe("@team/lib: version 2.0.0 cannot be added without a tarball");
  });
});

describe("tarball links and downloads", () => {
  it("writes tarball links under publicUrl when one is set", async () => {
    const behindProxy = await startTestRegistry({ publicUrl: "https://registry.example.com/" });
    const owner = await signUp(behindProxy.base, "proxied");
    await call(behindProxy.base, "PUT", "/linked", {
      token: owner,
      body: publishBody("linked", "1.0.0", packageTgz("linked", "1.0.0")),
    });
    const doc = (await call(behindProxy.base, "GET", "/linked")).body;
    expect(doc.versions["1.0.0"].dist.tarball).toBe("https://registry.example.com/linked/-/linked-1.0.0.tgz");
  });

  it("counts GETs of a tarball as downloads but not HEADs", async () => {
    const url = `${registry.base}/@team/lib/-/lib-1.0.0.tgz`;
    const head = await fetch(url, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-length")).toBe(String(tarball.length));
    await fetch(url);
    await fetch(url);
    const detail = (await call(registry.base, "GET", "/-/marketplace/plugins/@team/lib")).body;
    expect(detail.downloads.byVersion).toEqual({ "1.0.0": 2 });
  });
});
