import { afterAll, beforeAll, expect, it } from "bun:test";
import { dirname, join } from "node:path";
import { cleanUp, cli, liveRegistry, runningKernel, seed, workspace } from "./support.ts";

afterAll(cleanUp);

const dir = workspace();
const PASSWORD = "correct horse battery staple";
let registry = "";

/** The folder of a first-party plugin, found the way any package is: by its name. */
const folderOf = (name: string) => dirname(Bun.resolveSync(`${name}/package.json`, import.meta.dir));

beforeAll(async () => {
  const running = await liveRegistry(dir);
  registry = running.url;
  for (const name of ["@buntime/plugin-auth", "@buntime/plugin-storage"]) await seed(running, folderOf(name));
}, 30_000);

async function signIn(url: URL): Promise<string> {
  const response = await fetch(new URL("/auth/login", url), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: "admin", password: PASSWORD }),
  });
  expect(response.status).toBe(200);
  return (response.headers.get("set-cookie") ?? "").split(";")[0] as string;
}

const whoAmI = async (url: URL, cookie: string) =>
  (await fetch(new URL("/auth/me", url), { headers: { cookie } })).status;

it("gives auth the persistent keyval when `plugin install auth storage` loads both into a running kernel", async () => {
  const home = join(dir, "home");
  const env = { BUNTIME_ADMIN_PASSWORD: PASSWORD };
  const first = await runningKernel(home, dir, env);
  const run = await cli(
    ["plugin", "install", "auth", "storage", "--registry", registry, "--home", home],
    dir,
  );
  expect(run.code).toBe(0);
  const cookie = await signIn(first.url);
  expect(await whoAmI(first.url, cookie)).toBe(200);
  // a session kept in memory would be gone after a restart; one kept in storage's keyval is not
  await first.stop();
  const second = await runningKernel(home, dir, env);
  expect(await whoAmI(second.url, cookie)).toBe(200);
  expect(await whoAmI(second.url, "session=forged")).toBe(401);
}, 60_000);
