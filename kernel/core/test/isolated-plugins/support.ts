/** Plugin folders written into temp homes for the isolated-plugin tests, and kernels over them. */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createKernel,
  type InlinePlugin,
  type Kernel,
  type KernelConfigOptions,
  type LogSink,
} from "@buntime/kernel";

const kernels: Kernel[] = [];
const dirs: string[] = [];
/** Stops the kernels and removes the folders of the test that ran: each test file's `afterEach`. */
export async function cleanUp(): Promise<void> {
  for (const kernel of kernels.splice(0)) await kernel.stop();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** A temp folder a sandbox's own user may pass through (a temp folder is 0700). */
export function openTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o755);
  dirs.push(dir);
  return dir;
}

/**
 * The entry of a test plugin, with no imports (a sandbox sees only the plugin's folder): its
 * `fetch` reports what it can reach (`?kv=value` keeps a value in the keyval service it
 * consumes and reads it back); `hook` adds a pipeline hook of that name.
 */
export function pluginEntry(hook?: string): string {
  return `export default {
  setup(ctx) {
    return {
      ${hook ? `${hook}: () => undefined,` : ""}
      async fetch(request, context) {
        const url = new URL(request.url);
        const read = async (path) => { try { return await Bun.file(path).text(); } catch (e) { return "refused: " + e.code; } };
        const keep = async (value) => {
          const kv = ctx.services.get("keyval");
          await kv.set("k", value);
          return (await kv.get("k")).value;
        };
        const reach = async (target) => { try { return (await fetch(target)).status; } catch (e) { return "refused: " + e.message; } };
        return Response.json({
          name: ctx.name,
          version: ctx.version,
          config: ctx.config,
          appsDir: ctx.kernel.appsDir,
          pid: process.pid,
          pathname: context.pathname,
          search: url.search,
          requestId: context.requestId,
          user: request.headers.get("x-buntime-user"),
          roles: request.headers.get("x-buntime-roles"),
          authorization: request.headers.get("authorization"),
          cookie: request.headers.get("cookie"),
          env: Object.fromEntries(Object.entries(process.env).filter(([k]) => !/proxy/i.test(k))),
          read: url.searchParams.has("read") ? await read(url.searchParams.get("read")) : undefined,
          reach: url.searchParams.has("reach") ? await reach(url.searchParams.get("reach")) : undefined,
          kv: url.searchParams.has("kv") ? await keep(url.searchParams.get("kv")) : undefined,
        });
      },
    };
  },
};
`;
}

/** Writes a plugin folder `<parent>/<name>` (or `folder`) whose package.json carries `manifest`. */
export function writePlugin(
  parent: string,
  name: string,
  manifest: Record<string, unknown>,
  { version = "1.0.0", hook, folder }: { version?: string; hook?: string; folder?: string } = {},
): string {
  const dir = folder ?? join(parent, name);
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const buntime = { kernel: ">=0.1.0", ...manifest };
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name, version, main: "index.js", buntime }));
  writeFileSync(join(dir, "index.js"), pluginEntry(hook));
  return dir;
}

/** Starts a kernel listening on 127.0.0.1 with `plugins` (folders, or plugins in code) and `config`. */
export async function startKernel(
  config: KernelConfigOptions,
  plugins: (string | InlinePlugin)[] = [],
  logSink: LogSink = () => {},
) {
  const kernel = createKernel({ config: { port: 0, ...config }, plugins, logSink });
  kernels.push(kernel);
  await kernel.start();
  const url = await kernel.listen();
  return { kernel, url };
}

/** GETs `path` from `url` and answers the status and the parsed JSON body (or the text). */
export async function get(url: URL, path: string, init?: RequestInit) {
  const response = await fetch(new URL(path, url), init);
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text);
  } catch {
    body = { text };
  }
  return { status: response.status, body, text };
}
