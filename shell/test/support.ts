/**
 * What the shell's browser tests share: a kernel running the shell plugin (from this folder, so
 * it serves its `ui` too) and a test plugin at `/t` that serves the pages of `test/pages`.
 */
import { join } from "node:path";
import { createTestKernel, type TestKernel, type TestPlugin } from "@buntime/kernel/testing";
import { definePlugin } from "@buntime/sdk";
import { CHROMIUM_PATH } from "@buntime/test-kit/browser";
import { skipWithoutSystemTool } from "@buntime/test-kit/system";

/** The shell package's folder. */
export const SHELL_DIR = join(import.meta.dir, "..");

/** Debian's chromium: without it browser tests are skipped, except under CI, where it must be there. */
export const noChromium = skipWithoutSystemTool({ path: CHROMIUM_PATH, debianPackage: "chromium" });

/** Serves `test/pages/<name>.html` at `/t/<name>` (any path below it too, for navigation tests). */
export const pagesPlugin: TestPlugin = {
  packageJson: { name: "test-pages", version: "1.0.0", buntime: { kernel: "^0.1.0", base: "/t" } },
  plugin: definePlugin({
    setup: () => ({
      async fetch(request) {
        const name = new URL(request.url).pathname.split("/")[2] ?? "";
        if (!/^[a-z-]+$/.test(name)) return undefined;
        const file = Bun.file(join(import.meta.dir, "pages", `${name}.html`));
        if (!(await file.exists())) return undefined;
        return new Response(file, { headers: { "content-type": "text/html; charset=utf-8" } });
      },
    }),
  }),
};

/** A listening kernel with the shell, the test pages and `plugins`. */
export function startShellKernel(plugins: readonly (TestPlugin | string)[] = []): Promise<TestKernel> {
  return createTestKernel({ plugins: [SHELL_DIR, pagesPlugin, ...plugins], listen: true });
}
