/**
 * What the marketplace's tests share: a workspace that sees the repository's packages (so
 * installed plugins resolve `@buntime/sdk`), a live registry seeded with plugin fixtures, and a
 * listening kernel running the marketplace with the real CLI.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestKernel, type TestKernel } from "@buntime/kernel/testing";
import { type RunningRegistry, startRegistry } from "@buntime/registry-server";
import { packPlugin } from "@buntime/supply";
import { CHROMIUM_PATH } from "@buntime/test-kit/browser";
import { silentLogger } from "@buntime/test-kit/logger";
import { skipWithoutSystemTool } from "@buntime/test-kit/system";

const REPO = join(import.meta.dir, "..", "..", "..");
/** The marketplace package's folder. */
export const MARKETPLACE_DIR = join(import.meta.dir, "..");
/** The CLI the marketplace runs. */
export const CLI = [process.execPath, join(REPO, "kernel", "cli", "bin", "buntime.ts")];

/** Debian's chromium: without it browser tests are skipped, except under CI, where it must be there. */
export const noChromium = skipWithoutSystemTool({ path: CHROMIUM_PATH, debianPackage: "chromium" });

/** A readme that tries every trick to run code in the page. */
export const HOSTILE_README = `# Evil

<script>window.__pwned = "script"</script>
<img src=x onerror="window.__pwned='img'">
<a href="javascript:window.__pwned='html-link'">html link</a>

[click me](javascript:window.__pwned='md-link') and [also](JaVaScRiPt:alert(1)) and ![i](javascript:alert(2))

<iframe src="javascript:alert(3)"></iframe>

**Bold** stays bold, \`code\` stays code and [a real link](https://example.com/docs).
`;

/** A plugin to publish: name, version, permissions, readme and the body of its `setup`. */
export interface Fixture {
  name: string;
  version: string;
  permissions?: { network?: string[]; env?: string[]; storage?: boolean };
  readme?: string;
  /** JavaScript run in `setup` before it returns (a `throw` makes the version fail to start). */
  setup?: string;
  description?: string;
  keywords?: string[];
  menu?: boolean;
  /** Plugin dependencies with ranges. */
  deps?: Record<string, string>;
  /** The kernel range. @default "^0.1.0" */
  kernel?: string;
  /** An icon shipped as `assets/icon.png` and declared as `buntime.icon`. */
  icon?: Uint8Array;
  /** Screenshots shipped as `assets/screenshot-<n>.png` and declared in `buntime.screenshots`. */
  screenshots?: { data: Uint8Array; caption: string }[];
  /** A declared health check at `<base>/health` answering 200, 503, or never (its timeout is 500 ms). */
  health?: "ok" | "503" | "hang";
}

/** A real 1×1 PNG. */
export const TINY_PNG = Uint8Array.from(
  atob("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="),
  (c) => c.charCodeAt(0),
);

/** What a fixture's health route does. */
const HEALTH_ANSWERS = {
  ok: 'return new Response("ok");',
  503: 'return new Response("database unreachable", { status: 503 });',
  hang: "return new Promise(() => {});",
};

/** Writes the fixture's icon and screenshots under `assets/` and returns their manifest fields. */
function writeMedia(folder: string, fixture: Fixture): Record<string, unknown> {
  if (!fixture.icon && !fixture.screenshots) return {};
  mkdirSync(join(folder, "assets"));
  if (fixture.icon) writeFileSync(join(folder, "assets", "icon.png"), fixture.icon);
  for (const [i, shot] of (fixture.screenshots ?? []).entries())
    writeFileSync(join(folder, "assets", `screenshot-${i}.png`), shot.data);
  return {
    ...(fixture.icon ? { icon: "assets/icon.png" } : {}),
    ...(fixture.screenshots
      ? {
          screenshots: fixture.screenshots.map((s, i) => ({
            path: `assets/screenshot-${i}.png`,
            caption: s.caption,
          })),
        }
      : {}),
  };
}

/** A marketplace under test: kernel, registry, workspace. */
export interface Bench {
  dir: string;
  registry: RunningRegistry;
  kernel: TestKernel;
  url: URL;
  publish(fixture: Fixture): Promise<void>;
  stop(): Promise<void>;
}

/** Starts a registry and a kernel running the marketplace (and `plugins`), in a fresh workspace. */
export async function startBench(plugins: string[] = [], env: Record<string, string> = {}): Promise<Bench> {
  const dir = mkdtempSync(join(tmpdir(), "buntime-marketplace-"));
  symlinkSync(join(REPO, "node_modules"), join(dir, "node_modules"));
  const registry = await startRegistry({
    port: 0,
    storageDir: join(dir, "registry"),
    logger: silentLogger(),
  });
  Object.assign(process.env, env);
  const kernel = await createTestKernel({
    plugins: [MARKETPLACE_DIR, ...plugins],
    listen: true,
    config: {
      home: join(dir, "home"),
      plugins: {
        "@buntime/plugin-marketplace": {
          registry: registry.url,
          cli: CLI,
          cliDir: join(dir, "cli-settings"),
        },
      },
    },
  });
  let count = 0;
  return {
    dir,
    registry,
    kernel,
    url: kernel.url as URL,
    async publish(fixture) {
      const folder = join(dir, "src", `${count++}`);
      mkdirSync(folder, { recursive: true });
      const short = fixture.name.replace(/^@[^/]+\//, "");
      writeFileSync(
        join(folder, "package.json"),
        JSON.stringify({
          name: fixture.name,
          version: fixture.version,
          description: fixture.description ?? `the ${short} plugin`,
          keywords: fixture.keywords ?? [],
          type: "module",
          main: "index.js",
          buntime: {
            kernel: fixture.kernel ?? "^0.1.0",
            base: `/${short}`,
            ...(fixture.deps ? { dependencies: fixture.deps } : {}),
            ...(fixture.permissions ? { permissions: fixture.permissions } : {}),
            ...(fixture.menu ? { ui: { dir: "ui", menu: [{ label: short, path: `/${short}/` }] } } : {}),
            ...(fixture.health ? { health: { path: "/health", timeoutMs: 500 } } : {}),
            ...writeMedia(folder, fixture),
          },
        }),
      );
      if (fixture.readme) writeFileSync(join(folder, "README.md"), fixture.readme);
      if (fixture.menu) {
        mkdirSync(join(folder, "ui"));
        writeFileSync(
          join(folder, "ui", "index.html"),
          `<!doctype html><h1>${short} ${fixture.version}</h1>`,
        );
      }
      writeFileSync(
        join(folder, "index.js"),
        `export default { setup() { ${fixture.setup ?? ""}; return { fetch: (request) => {
  const path = new URL(request.url).pathname;
  ${fixture.health ? `if (path === "/${short}/health") { ${HEALTH_ANSWERS[fixture.health]} }` : ""}
  return path === "/${short}/" ? undefined : new Response(${JSON.stringify(`${fixture.name}@${fixture.version}`)});
} }; } };\n`,
      );
      await registry.publishTarball(packPlugin(folder).tarball);
    },
    async stop() {
      await kernel.stop();
      await registry.stop();
      for (const key of Object.keys(env)) delete process.env[key];
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The events of a job, read from its SSE stream until it ends. */
export async function jobEvents(
  url: URL,
  path: string,
  headers: HeadersInit = {},
): Promise<{ type: string; [key: string]: unknown }[]> {
  const response = await fetch(new URL(path, url), { headers, signal: AbortSignal.timeout(60_000) });
  const text = await response.text();
  return text
    .split("\n")
    .filter((line) => line.startsWith("data: "))
    .map((line) => JSON.parse(line.slice(6)));
}
