/**
 * An app's life through the CLI against a running kernel with the router and deployments
 * plugins: create (its test passes), deploy, deploy a new version while a slow request is in
 * flight on the old (it completes), list, roll back, remove.
 */
import { afterAll, describe, expect, it } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { kernelWithDeployments } from "./deployments-kernel.ts";
import { cleanUp, cli, workspace } from "./support.ts";

afterAll(cleanUp);

/** Rewrites the scaffolded app's version and what it answers (after 500 ms on /slow). */
function release(app: string, version: string, text: string): void {
  const pkg = JSON.parse(readFileSync(join(app, "package.json"), "utf8"));
  writeFileSync(join(app, "package.json"), JSON.stringify({ ...pkg, version }));
  writeFileSync(
    join(app, "index.ts"),
    `export default { fetch: async (req: Request) => { if (new URL(req.url).pathname === "/slow") await Bun.sleep(500); return new Response(${JSON.stringify(text)}); } };`,
  );
}

describe("an app's life through the CLI", () => {
  it("is created, tested, deployed, switched with a request in flight, listed, rolled back and removed", async () => {
    const dir = workspace();
    const created = await cli(["app", "create", "shop"], dir);
    expect(created.code).toBe(0);
    const app = join(dir, "shop");
    const tested = Bun.spawnSync([process.execPath, "test"], { cwd: app, stdout: "pipe", stderr: "pipe" });
    expect(tested.stderr.toString()).toContain("1 pass");

    const home = join(dir, "home");
    const kernel = await kernelWithDeployments(dir, home);
    try {
      const at = ["--home", home];
      const first = await cli(["app", "deploy", app, ...at, "--json"], dir);
      expect(first.stderr).toBe("");
      expect(JSON.parse(first.stdout)).toMatchObject({ name: "shop", version: "0.1.0", active: true });
      const get = (path: string) => fetch(new URL(path, kernel.url));
      expect(await (await get("/shop/hello")).json()).toEqual({ app: "shop", path: "/hello" });

      // 0.1.5 answers slowly; deploy it, start a slow request, then deploy 0.2.0 while it runs
      release(app, "0.1.5", "old-slow");
      expect((await cli(["app", "deploy", app, ...at], dir)).code).toBe(0);
      const inFlight = get("/shop/slow");
      await Bun.sleep(100);
      release(app, "0.2.0", "two");
      const second = await cli(["app", "deploy", app, ...at], dir);
      expect(second.stdout).toContain("deployed shop@0.2.0");
      let answered = "";
      for (let i = 0; i < 100 && answered !== "two"; i++) {
        answered = await (await get("/shop/")).text();
        if (answered !== "two") await Bun.sleep(20);
      }
      expect(answered).toBe("two");
      expect(await (await inFlight).text()).toBe("old-slow");
      expect(await (await get("/shop@0.1.0/x")).json()).toEqual({ app: "shop", path: "/x" });

      const listed = await cli(["app", "list", ...at], dir);
      expect(listed.stdout).toContain("shop (active 0.2.0)");
      expect(listed.stdout).toContain("admin-token");

      const back = await cli(["app", "rollback", "shop", ...at], dir);
      expect(back.stdout).toContain("shop is back on 0.1.5");
      const refused = await cli(["app", "remove", "shop", "--version", "0.1.5", ...at], dir);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain("active version");
      expect((await cli(["app", "remove", "shop", ...at], dir)).code).toBe(0);
      let status = 200;
      for (let i = 0; i < 100 && status !== 404; i++) {
        status = (await get("/shop/")).status;
        if (status !== 404) await Bun.sleep(20);
      }
      expect(status).toBe(404);
    } finally {
      await kernel.stop();
    }
  }, 60_000);

  it("refuses to deploy a folder that is no app package, naming why", async () => {
    const dir = workspace();
    mkdirSync(join(dir, "plain"));
    writeFileSync(join(dir, "plain", "package.json"), JSON.stringify({ name: "plain", version: "1.0.0" }));
    const run = await cli(["app", "pack", join(dir, "plain")], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('no "buntime": { "app"');
  });
});
