/**
 * The "kernel" user mode, when the kernel is not root: run as `nobody`, a kernel still builds
 * the sandbox (user namespace, own mounts, pids and network) and the watchdog still kills a
 * memory bomb. Needs root to become nobody, so it runs where the rest of the suite runs as root.
 */
import { afterAll, describe, expect, it } from "bun:test";
import { chownSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeHostFolders, NO_BWRAP } from "./support.ts";

const NOBODY = 65534;
const canBecomeNobody = process.getuid?.() === 0 && Bun.which("setpriv") !== null;

describe.skipIf(NO_BWRAP || !canBecomeNobody)("a kernel that is not root", () => {
  const folders = makeHostFolders();
  afterAll(() => folders.dispose());

  it("sandboxes as its own uid in a user namespace, and the watchdog limits memory", async () => {
    writeFileSync(join(folders.root, "secret"), "admin-token", { mode: 0o644 });
    const writable = join(folders.root, "writable");
    mkdirSync(writable);
    chownSync(writable, NOBODY, NOBODY);
    const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("hi") });
    const kernel = Bun.spawn(
      [
        "setpriv",
        `--reuid=${NOBODY}`,
        `--regid=${NOBODY}`,
        "--clear-groups",
        process.execPath,
        join(import.meta.dir, "fixtures", "unprivileged-kernel.ts"),
        folders.root,
        String(server.port),
      ],
      { env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: writable }, stdout: "pipe", stderr: "pipe" },
    );
    const [out, err] = await Promise.all([
      new Response(kernel.stdout).text(),
      new Response(kernel.stderr).text(),
    ]);
    server.stop(true);
    expect(err).toBe("");
    const report = JSON.parse(out);
    expect(report).toMatchObject({
      user: "kernel",
      limiter: "watchdog",
      kernelUid: NOBODY,
      childUid: NOBODY,
    });
    expect(report.env).toEqual({ ONLY: "this", HOME: "/data", TMPDIR: "/tmp" });
    expect(report.secret).toBe("error ENOENT");
    expect(report.signalKernel).toBe("error ESRCH");
    expect(report.network).toMatch(/ECONNREFUSED|ENETUNREACH/);
    expect(report.bomb).toBe("error exited");
    expect(report.exit).toMatchObject({ signal: "SIGKILL", limit: "memory" });
  }, 20_000);
});
