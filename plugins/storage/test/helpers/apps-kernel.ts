import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createTestKernel, type TestKernel } from "@buntime/kernel/testing";
import router from "@buntime/plugin-router";
import routerPackage from "@buntime/plugin-router/package.json" with { type: "json" };
import storage from "@buntime/plugin-storage";
import storagePackage from "../../package.json" with { type: "json" };

/** An app that hands out its token, so a test can speak for it as its worker would. */
const TOKEN_APP = "export default { fetch: () => new Response(process.env.BUNTIME_APP_TOKEN) };";

/**
 * A listening kernel with the router and storage (`settings` as storage's config) serving one
 * token-handing app per name in `apps`, and each app's token as its worker gets it.
 */
export async function startAppsKernel(
  settings: Record<string, unknown>,
  apps: readonly string[],
): Promise<{ kernel: TestKernel; tokens: Record<string, string> }> {
  const kernel = await createTestKernel({
    config: { plugins: { "@buntime/plugin-storage": settings } },
    plugins: [
      { packageJson: routerPackage, plugin: router },
      { packageJson: storagePackage, plugin: storage },
    ],
    listen: true,
  });
  for (const app of apps) {
    mkdirSync(join(kernel.home, "apps", app), { recursive: true });
    writeFileSync(join(kernel.home, "apps", app, "index.ts"), TOKEN_APP);
  }
  await Bun.sleep(300); // the router's watcher notices the new apps
  const tokens: Record<string, string> = {};
  for (const app of apps) {
    for (let i = 0; i < 50 && !tokens[app]?.startsWith(`${app}.`); i++) {
      tokens[app] = await (await fetch(new URL(`/${app}/`, kernel.url))).text();
      if (!tokens[app]?.startsWith(`${app}.`)) await Bun.sleep(100);
    }
  }
  return { kernel, tokens };
}
