/** Helpers of the router's tests: a kernel with the router plugin, app folders, cleanup after each test. */
import { afterEach } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createKernel, type InlinePlugin, type Kernel } from "@buntime/kernel";
import router from "@buntime/plugin-router";
import routerPackage from "../package.json" with { type: "json" };

const kernels: Kernel[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const kernel of kernels.splice(0)) await kernel.stop();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A temporary folder, removed after the test. */
export function tempDir(prefix = "buntime-router-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

export const routerPlugin: InlinePlugin = { packageJson: routerPackage, plugin: router };

/** Writes an app folder whose worker echoes what it received, tagged with `tag`. */
export function writeApp(dir: string, tag: string, extra: Record<string, string> = {}) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, "index.ts"),
    `export default { fetch: (req) => Response.json({ tag: ${JSON.stringify(tag)}, url: req.url,
      base: req.headers.get("x-base"), host: req.headers.get("x-forwarded-host") }) };`,
  );
  for (const [name, text] of Object.entries(extra)) writeFileSync(join(dir, name), text);
}

/** Starts a kernel with the router plugin (and `plugins`) on a temporary home. */
export async function start(
  options: {
    /** Plugins in code, or plugin folders (as `createKernel` takes them). */
    plugins?: (InlinePlugin | string)[];
    homepage?: string;
    appsDir?: string;
    hosts?: Record<string, string>;
    cors?: Record<string, unknown>;
    logSink?: (entry: { message: string }) => void;
  } = {},
) {
  const home = tempDir();
  const settings = {
    homepage: options.homepage,
    appsDir: options.appsDir,
    hosts: options.hosts,
    cors: options.cors,
  };
  const kernel = createKernel({
    config: { home, port: 0, plugins: { "@buntime/plugin-router": settings } },
    plugins: [routerPlugin, ...(options.plugins ?? [])],
    logSink: options.logSink ?? (() => {}),
  });
  kernels.push(kernel);
  await kernel.start();
  const apps = options.appsDir ?? join(home, "apps");
  const get = (path: string, init?: RequestInit) =>
    kernel.fetch(new Request(`http://127.0.0.1:8000${path}`, init));
  return { apps, get, kernel };
}
