import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServer } from "../src/load.ts";

let folder: string | undefined;
afterEach(() => {
  if (folder !== undefined) rmSync(folder, { recursive: true, force: true });
  folder = undefined;
});

/** Writes a one-file script into this test's temp folder and returns its path. */
function script(name: string, source: string): string {
  folder ??= mkdtempSync(join(tmpdir(), "buntime-load-"));
  const path = join(folder, name);
  writeFileSync(path, source);
  return path;
}

/** A "server" that prints, as its URL, what it was given: its argument and two variables (empty when unset). */
const echoScript = () =>
  script(
    "echo.ts",
    'const { argv, env } = process;\nconsole.log(["http://127.0.0.1", argv[2], env.LOAD_GIVEN, env.LOAD_SET_LATER].join("/"));',
  );

test("startServer hands the server its arguments and the environment it is given", async () => {
  const server = await startServer(echoScript(), ["arg"], { LOAD_GIVEN: "given" });
  await server.process.exited;
  expect(server.url).toBe("http://127.0.0.1/arg/given/");
});

test("startServer passes variables set in process.env after start (Bun.spawn alone would not)", async () => {
  process.env.LOAD_SET_LATER = "later";
  try {
    const server = await startServer(echoScript());
    await server.process.exited;
    expect(server.url).toBe("http://127.0.0.1///later");
  } finally {
    delete process.env.LOAD_SET_LATER;
  }
});

test("startServer names the script that printed no URL", async () => {
  const silent = script("silent.ts", "console.log('no url here');");
  await expect(startServer(silent)).rejects.toThrow(`${silent} did not print its URL`);
});
