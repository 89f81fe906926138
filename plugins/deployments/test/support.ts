/** Helpers of the deployments tests: a kernel with the router and deployments plugins, app packages as tarballs. */
import { afterEach } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createKernel, type InlinePlugin, type Kernel } from "@buntime/kernel";
import router from "@buntime/plugin-router";
import routerPackage from "@buntime/plugin-router/package.json" with { type: "json" };
import { create } from "tar";
import deploymentsPackage from "../package.json" with { type: "json" };
import deployments from "../src/index.ts";

const kernels: Kernel[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const kernel of kernels.splice(0)) await kernel.stop();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A temporary folder, removed after the test. */
export function tempDir(prefix = "buntime-deployments-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

/** Writes an app package folder: package.json with `buntime.app`, and `index.ts` answering `text` (after `delayMs` on /slow). */
export function appFolder(
  name: string,
  version: string,
  text: string,
  app: Record<string, unknown> = {},
): string {
  const dir = join(tempDir(), "package");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name, version, buntime: { app } }));
  writeFileSync(
    join(dir, "index.ts"),
    `export default { fetch: async (req) => { if (new URL(req.url).pathname === "/slow") await Bun.sleep(400);
      return new Response(${JSON.stringify(text)} + (process.env.GREETING ?? "")); } };`,
  );
  return dir;
}

/** An npm-format tarball (`package/…`) of `folder`. */
export function tarballOf(folder: string): Uint8Array<ArrayBuffer> {
  const out = join(tempDir(), "app.tgz");
  create({ gzip: true, sync: true, file: out, cwd: join(folder, ".."), portable: true }, ["package"]);
  return new Uint8Array(readFileSync(out)) as Uint8Array<ArrayBuffer>;
}

/** Starts a kernel with router and deployments (after `extra`) on a temporary home; `admin` sends the kernel's admin token. */
export async function start(extra: readonly InlinePlugin[] = []) {
  const home = tempDir();
  const kernel = createKernel({
    config: { home, port: 0 },
    plugins: [
      ...extra,
      { packageJson: routerPackage, plugin: router } as InlinePlugin,
      { packageJson: deploymentsPackage, plugin: deployments } as InlinePlugin,
    ],
    logSink: () => {},
  });
  kernels.push(kernel);
  await kernel.start();
  const token = readFileSync(join(home, "admin-token"), "utf8").trim();
  const get = (path: string, init?: RequestInit) =>
    kernel.fetch(new Request(`http://127.0.0.1:8000${path}`, init));
  const admin = (path: string, init: RequestInit = {}) =>
    get(path, {
      ...init,
      headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${token}` },
    });
  return { home, apps: join(home, "apps"), get, admin };
}

/** Polls `check` every 20 ms, at most 2 s. */
export async function until(check: () => Promise<boolean>): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    if (await check()) return true;
    await Bun.sleep(20);
  }
  return false;
}
