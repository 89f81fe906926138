/**
 * The kernel with the router plugin and one persistent app `hello` (answers `hello` from its
 * worker) in a temporary home. Prints the app's URL on stdout.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createKernel } from "@buntime/kernel";
import router from "@buntime/plugin-router";
import routerPackage from "@buntime/plugin-router/package.json" with { type: "json" };

const home = mkdtempSync(join(tmpdir(), "buntime-bench-router-"));
mkdirSync(join(home, "apps", "hello"), { recursive: true });
writeFileSync(
  join(home, "apps", "hello", "index.ts"),
  `export default { fetch: () => new Response("hello") };`,
);

const kernel = createKernel({
  config: { home, port: 0, hostname: "127.0.0.1", logLevel: "warn" },
  plugins: [{ packageJson: routerPackage, plugin: router }],
});
await kernel.start();
const url = await kernel.listen();
await fetch(new URL("/hello/", url)); // warm the worker
console.log(new URL("/hello/", url).href);
