/** `buntime plugin remove` of an auth provider asks for --force while the home has protected apps. */
import { afterAll, beforeAll, expect, it } from "bun:test";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cleanUp, cli, liveRegistry, seed, snapshot, workspace, writePlugin } from "./support.ts";

afterAll(cleanUp);
const dir = workspace();
let registry = "";

beforeAll(async () => {
  const running = await liveRegistry(dir);
  registry = running.url;
  const entry = `export default { setup(ctx) { ctx.services.provide("auth", {}); return {}; } };\n`;
  await seed(running, writePlugin(dir, { name: "@acme/guard", version: "1.0.0", provides: ["auth"], entry }));
}, 30_000);

function writeApp(home: string, name: string, visibility: string): void {
  const app = join(home, "apps", name);
  mkdirSync(app, { recursive: true });
  writeFileSync(join(app, "index.ts"), "export default { fetch: () => new Response('hi') };\n");
  writeFileSync(join(app, "buntime.json"), JSON.stringify({ visibility }));
}

it("refuses to remove the auth provider of protected apps, naming them, unless forced", async () => {
  const home = join(dir, "home");
  expect(
    (await cli(["plugin", "install", "@acme/guard", "--registry", registry, "--home", home], dir)).code,
  ).toBe(0);
  writeApp(home, "vault", "protected");
  writeApp(home, "ops", "internal");
  writeApp(home, "blog", "public");
  const before = snapshot(home);
  const refused = await cli(["plugin", "remove", "@acme/guard", "--home", home], dir);
  expect(refused.code).toBe(1);
  expect(refused.stderr).toContain(
    "@acme/guard guards the protected apps ops, vault: without an auth plugin they answer 503; remove it with --force to do so anyway [BUNTIME_ERR_INSTALL_AUTH_GUARDS_APPS]",
  );
  expect(snapshot(home)).toEqual(before);
  const forced = await cli(["plugin", "remove", "@acme/guard", "--force", "--home", home], dir);
  expect(forced.code).toBe(0);
  expect(existsSync(join(home, "plugins", "@acme", "guard"))).toBe(false);
}, 30_000);
