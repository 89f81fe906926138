/** The deployments API: deploy, switch with a request in flight, roll back, delete; hostile uploads refused. */
import { describe, expect, it } from "bun:test";
import { existsSync, readdirSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { appFolder, start, tarballOf, until } from "./support.ts";

const body = (bytes: Uint8Array<ArrayBuffer>) => ({
  method: "POST",
  body: bytes,
  headers: { "content-type": "application/gzip" },
});

describe("deploying through the API", () => {
  it("deploys, switches while a request is in flight, rolls back and removes", async () => {
    const { admin, get } = await start();
    const one = await admin("/deployments/api/apps", body(tarballOf(appFolder("shop", "1.0.0", "one"))));
    expect(one.status).toBe(201);
    expect(await one.json()).toEqual({ name: "shop", version: "1.0.0", active: true });
    expect(await until(async () => (await (await get("/shop/")).text()) === "one")).toBe(true);

    const inFlight = get("/shop/slow");
    await Bun.sleep(50);
    const two = await admin("/deployments/api/apps", body(tarballOf(appFolder("shop", "2.0.0", "two"))));
    expect(two.status).toBe(201);
    expect(await until(async () => (await (await get("/shop/")).text()) === "two")).toBe(true);
    expect(await (await inFlight).text()).toBe("one");
    expect(await (await get("/shop@1.0.0/")).text()).toBe("one");

    const listed = (await (await admin("/deployments/api/apps")).json()) as {
      apps: Array<{
        name: string;
        active: string;
        versions: Array<{ version: string; deployedBy: string; deployedAt: string }>;
      }>;
    };
    expect(listed.apps[0]).toMatchObject({ name: "shop", active: "2.0.0" });
    expect(listed.apps[0]?.versions.map((v) => [v.version, v.deployedBy])).toEqual([
      ["2.0.0", "admin-token"],
      ["1.0.0", "admin-token"],
    ]);
    expect(Date.parse(listed.apps[0]?.versions[0]?.deployedAt ?? "")).toBeGreaterThan(0);

    const back = await admin("/deployments/api/apps/shop/rollback", { method: "POST" });
    expect(((await back.json()) as { active: string }).active).toBe("1.0.0");
    expect(await until(async () => (await (await get("/shop/")).text()) === "one")).toBe(true);

    const activeDelete = await admin("/deployments/api/apps/shop/versions/1.0.0", { method: "DELETE" });
    expect(activeDelete.status).toBe(409);
    expect((await admin("/deployments/api/apps/shop/versions/2.0.0", { method: "DELETE" })).status).toBe(200);
    expect((await admin("/deployments/api/apps/shop", { method: "DELETE" })).status).toBe(204);
    expect(await until(async () => (await get("/shop/")).status === 404)).toBe(true);
  });

  it("activates a chosen version, and refuses one that is not deployed", async () => {
    const { admin, get } = await start();
    await admin("/deployments/api/apps", body(tarballOf(appFolder("shop", "1.0.0", "one"))));
    await admin(
      "/deployments/api/apps?activate=false",
      body(tarballOf(appFolder("shop", "1.1.0", "eleven"))),
    );
    expect(await until(async () => (await (await get("/shop/")).text()) === "one")).toBe(true);
    const json = { method: "POST", headers: { "content-type": "application/json" } };
    expect(
      (await admin("/deployments/api/apps/shop/activate", { ...json, body: '{"version":"1.1.0"}' })).status,
    ).toBe(200);
    expect(await until(async () => (await (await get("/shop/")).text()) === "eleven")).toBe(true);
    expect(
      (await admin("/deployments/api/apps/shop/activate", { ...json, body: '{"version":"9.0.0"}' })).status,
    ).toBe(404);
  });

  it("gives declared env values to the app; refuses undeclared ones and a missing one", async () => {
    const { admin, get } = await start();
    const folder = appFolder("greeter", "1.0.0", "hi ", { env: ["GREETING"] });
    const missing = await admin("/deployments/api/apps", body(tarballOf(folder)));
    expect(missing.status).toBe(400);
    expect(await missing.text()).toContain("GREETING");
    const undeclared = await admin(
      `/deployments/api/apps?env=${encodeURIComponent('{"OTHER":"x"}')}`,
      body(tarballOf(folder)),
    );
    expect(undeclared.status).toBe(400);
    const ok = await admin(
      `/deployments/api/apps?env=${encodeURIComponent('{"GREETING":"there"}')}`,
      body(tarballOf(folder)),
    );
    expect(ok.status).toBe(201);
    expect(await until(async () => (await (await get("/greeter/")).text()) === "hi there")).toBe(true);
  });

  it("takes a folder uploaded as multipart files", async () => {
    const { admin, get } = await start();
    const form = new FormData();
    form.append(
      "files",
      new File(
        [JSON.stringify({ name: "notes", version: "0.1.0", buntime: { app: {} } })],
        "notes/package.json",
      ),
    );
    form.append(
      "files",
      new File(['export default { fetch: () => new Response("notes") };'], "notes/index.ts"),
    );
    const response = await admin("/deployments/api/apps", { method: "POST", body: form });
    expect(response.status).toBe(201);
    expect(await until(async () => (await (await get("/notes/")).text()) === "notes")).toBe(true);
  });
});

describe("what deployments refuses, with nothing written", () => {
  /** Everything under the apps folder but the staging area (which must be empty). */
  function contents(apps: string): string[] {
    if (!existsSync(apps)) return [];
    const staging = join(apps, ".staging");
    if (existsSync(staging)) expect(readdirSync(staging)).toEqual([]);
    return readdirSync(apps, { recursive: true })
      .map(String)
      .filter((path) => !path.startsWith(".staging"))
      .sort();
  }

  it("refuses anyone but an admin", async () => {
    const { get, apps } = await start();
    const response = await get("/deployments/api/apps", body(tarballOf(appFolder("shop", "1.0.0", "one"))));
    expect(response.status).toBe(403);
    expect((await get("/deployments/api/apps")).status).toBe(403);
    expect(contents(apps)).toEqual([]);
  });

  it("refuses a ../ path in a multipart upload and a symlink in a tarball", async () => {
    const { admin, apps } = await start();
    const form = new FormData();
    form.append("files", new File([JSON.stringify({ name: "evil", version: "1.0.0" })], "package.json"));
    form.append("files", new File(["pwned"], "../../escape.ts"));
    const dots = await admin("/deployments/api/apps", { method: "POST", body: form });
    expect(dots.status).toBe(400);
    expect(await dots.text()).toContain("leads outside the app");

    const folder = appFolder("evil", "1.0.0", "x");
    symlinkSync("/etc/passwd", join(folder, "passwd"));
    const linked = await admin("/deployments/api/apps", body(tarballOf(folder)));
    expect(linked.status).toBe(400);
    expect(await linked.text()).toContain("SymbolicLink");
    expect(contents(apps)).toEqual([]);
  });

  it("refuses a package without an entry, a bad manifest and a version deployed twice", async () => {
    const { admin, apps } = await start();
    const noEntry = appFolder("shop", "1.0.0", "x", { entry: "src/missing.ts" });
    expect((await admin("/deployments/api/apps", body(tarballOf(noEntry)))).status).toBe(400);
    const badManifest = appFolder("shop", "1.0.0", "x", { ttl: "forever" });
    const bad = await admin("/deployments/api/apps", body(tarballOf(badManifest)));
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("ttl");
    expect(contents(apps)).toEqual([]);
    const good = tarballOf(appFolder("shop", "1.0.0", "one"));
    expect((await admin("/deployments/api/apps", body(good))).status).toBe(201);
    expect((await admin("/deployments/api/apps", body(good))).status).toBe(409);
  });

  it("refuses bytes that are no archive", async () => {
    const { admin } = await start();
    const response = await admin(
      "/deployments/api/apps",
      body(new TextEncoder().encode("not a tarball at all") as Uint8Array<ArrayBuffer>),
    );
    expect(response.status).toBe(400);
  });
});
