import { afterAll, beforeAll, expect, it } from "bun:test";
import { join } from "node:path";
import { packPlugin } from "@buntime/supply";
import { cleanUp, cli, liveRegistry, seed, workspace, writePlugin } from "./support.ts";

afterAll(cleanUp);

const dir = workspace();
let registry = "";

beforeAll(async () => {
  const running = await liveRegistry(dir);
  registry = running.url;
  await seed(running, writePlugin(dir, { name: "@buntime/plugin-squat", version: "1.0.0" }));
  // a look-alike anyone may publish: the unscoped short name, by another publisher
  const lookAlike = packPlugin(writePlugin(join(dir, "mallory"), { name: "squat", version: "9.9.9" }));
  await running.publishTarball(lookAlike.tarball, { publisher: "mallory" });
  await seed(running, writePlugin(dir, { name: "lonely", version: "1.0.0" }));
}, 30_000);

const install = async (name: string, home: string) => {
  const run = await cli(["plugin", "install", name, "--json", "--registry", registry, "--home", home], dir);
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout).installed.map((plugin: { name: string; version: string }) => plugin.name);
};

it("resolves a short name to the first-party plugin, never to an unscoped look-alike of that name", async () => {
  expect(await install("squat", join(dir, "home-a"))).toEqual(["@buntime/plugin-squat"]);
});

it("resolves a short name with no first-party plugin to the unscoped package", async () => {
  expect(await install("lonely", join(dir, "home-b"))).toEqual(["lonely"]);
});
