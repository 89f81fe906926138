/**
 * The kernel serving the bench apps from a temporary home: `/hello/`, `/echo/` (POST body back),
 * `/bytes/?size=N` (N bytes), `/upload/` (reads the POST body, answers its length) and
 * `/slow/?ms=N` (answers after N ms). `--plugins router` runs the router alone; `--plugins
 * default` adds the plugins of the default distribution that act on every request (logs,
 * metrics, auth, ratelimit); a list such as `--plugins router,logs` adds only those named, to
 * tell one plugin's cost. Prints the kernel's URL.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { createKernel, type InlinePlugin } from "@buntime/kernel";
import router from "@buntime/plugin-router";
import routerPackage from "@buntime/plugin-router/package.json" with { type: "json" };
import { BENCH_APPS } from "./apps.ts";

const { values } = parseArgs({ options: { plugins: { type: "string", default: "router" } } });

/** The plugins of the default distribution that see every request, loaded by name. */
const DEFAULT_EXTRAS = ["logs", "metrics", "auth", "ratelimit"];

/** The extras `set` names: none for `router`, all for `default`, else a list of them after `router,`. */
function extrasOf(set: string): string[] {
  if (set === "router") return [];
  if (set === "default") return DEFAULT_EXTRAS;
  const [first, ...rest] = set.split(",");
  if (first !== "router" || !rest.every((name) => DEFAULT_EXTRAS.includes(name)))
    throw new Error(
      `--plugins must be router, default or router,<${DEFAULT_EXTRAS.join("|")}>..., not ${set}`,
    );
  return rest;
}

async function plugins(set: string): Promise<InlinePlugin[]> {
  const list: InlinePlugin[] = [{ packageJson: routerPackage, plugin: router }];
  for (const name of extrasOf(set)) {
    const plugin = (await import(`@buntime/plugin-${name}`)).default;
    const packageJson = (await import(`@buntime/plugin-${name}/package.json`)).default;
    list.push({ packageJson, plugin });
  }
  return list;
}

const home = mkdtempSync(join(tmpdir(), "buntime-bench-all-"));
const apps = JSON.stringify(join(import.meta.dir, "apps.ts"));
for (const name of Object.keys(BENCH_APPS)) {
  mkdirSync(join(home, "apps", name), { recursive: true });
  const source = `import { BENCH_APPS } from ${apps};\nexport default { fetch: BENCH_APPS[${JSON.stringify(name)}] };\n`;
  writeFileSync(join(home, "apps", name, "index.ts"), source);
}
const kernel = createKernel({
  config: { home, port: 0, hostname: "127.0.0.1", logLevel: "warn" },
  plugins: await plugins(values.plugins),
});
await kernel.start();
const url = await kernel.listen();
for (const name of Object.keys(BENCH_APPS)) await (await fetch(new URL(`/${name}/`, url))).arrayBuffer();
console.log(url.href);
