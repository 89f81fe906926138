/**
 * Apps in the process tier through the whole kernel: the app's `buntime.json` or the kernel's
 * `isolation` setting puts it in a sandbox, the tier shows in `/_/api/pool`, the app still
 * reaches the kernel at `BUNTIME_URL` (the egress proxy always lets that through), and a kernel
 * told to sandbox apps refuses to start when it cannot.
 */
import { afterEach, describe, expect, it } from "bun:test";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createKernel, type Kernel, type KernelConfigOptions } from "@buntime/kernel";
import { skipWithoutSandbox } from "@buntime/test-kit/system";
import { routerPlugin, tempDir } from "./support.ts";

const SANDBOX_MISSING = skipWithoutSandbox();
const kernels: Kernel[] = [];
afterEach(async () => {
  for (const kernel of kernels.splice(0)) await kernel.stop();
});

/** A kernel home whose apps a sandbox's own user may reach (a temp folder is 0700). */
function home(): string {
  const dir = tempDir("buntime-isolation-");
  chmodSync(dir, 0o755);
  return dir;
}

/** An app that reports where it runs and asks the kernel for its health over `BUNTIME_URL`. */
function writeApp(apps: string, name: string, config: Record<string, unknown>): void {
  const dir = join(apps, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "buntime.json"), JSON.stringify(config));
  writeFileSync(
    join(dir, "index.ts"),
    `export default { async fetch() {
      const health = await fetch(process.env.BUNTIME_URL + "/_/api/health").then((r) => r.status, (e) => String(e));
      return Response.json({ pid: process.pid, cwd: process.cwd(), health });
    } };`,
  );
}

async function startKernel(config: KernelConfigOptions) {
  const kernel = createKernel({
    config: { port: 0, ...config },
    plugins: [routerPlugin],
    logSink: () => {},
  });
  kernels.push(kernel);
  await kernel.start();
  const url = await kernel.listen();
  return { kernel, url };
}

describe.skipIf(SANDBOX_MISSING)("apps in the process tier, through the kernel", () => {
  it("runs an app that asks for it in a sandbox, which still reaches the kernel at BUNTIME_URL", async () => {
    const dir = home();
    writeApp(join(dir, "apps"), "boxed", { isolation: "process" });
    writeApp(join(dir, "apps"), "threaded", {});
    const { url } = await startKernel({ home: dir });
    const boxed = (await (await fetch(new URL("/boxed/", url))).json()) as Record<string, unknown>;
    expect(boxed).toMatchObject({ cwd: "/app", health: 200 });
    expect(boxed.pid).not.toBe(process.pid);
    const threaded = (await (await fetch(new URL("/threaded/", url))).json()) as Record<string, unknown>;
    expect(threaded.pid).toBe(process.pid);
    const pool = (await (await fetch(new URL("/_/api/pool", url))).json()) as {
      apps: Record<string, { isolation: string }>;
    };
    expect(pool.apps["boxed@0.0.0"]?.isolation).toBe("process");
    expect(pool.apps["threaded@0.0.0"]?.isolation).toBe("thread");
  });

  it("puts every app in a sandbox when the kernel's isolation.minimum says process", async () => {
    const dir = home();
    writeApp(join(dir, "apps"), "wants-thread", { isolation: "thread" });
    const { url } = await startKernel({ home: dir, isolation: { minimum: "process" } });
    const answer = (await (await fetch(new URL("/wants-thread/", url))).json()) as Record<string, unknown>;
    expect(answer.pid).not.toBe(process.pid);
    expect(answer.cwd).toBe("/app");
  });
});

describe("a kernel told to sandbox apps", () => {
  it("refuses to start when the sandbox cannot be created, naming why and the fix", async () => {
    const dir = home();
    writeApp(join(dir, "apps"), "app", {});
    const kernel = createKernel({
      // as on a machine without bubblewrap
      config: { home: dir, port: 0, isolation: { default: "process", bwrap: join(dir, "no-bwrap") } },
      plugins: [routerPlugin],
      logSink: () => {},
    });
    kernels.push(kernel);
    const failure = await kernel.start().then(
      () => ({ code: "started", message: "" }),
      (error: Error & { code?: string }) => ({ code: error.code, message: error.message }),
    );
    expect(failure.code).toBe("BUNTIME_ERR_POOL_SANDBOX_UNAVAILABLE");
    expect(failure.message).toContain("install the Debian package bubblewrap");
  });
});
