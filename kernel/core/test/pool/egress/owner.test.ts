import { describe, expect, it } from "bun:test";
import { chmodSync, lstatSync } from "node:fs";
import { join } from "node:path";
import { onCleanup, tempDir } from "@buntime/test-kit/fixtures";
import { skipWithoutSystemTool } from "@buntime/test-kit/system";
import { startEgressProxy } from "../../../src/pool/egress/index.ts";

const notRoot = process.getuid?.() !== 0;
if (notRoot) console.warn("skipped: the socket owner tests need root (to chown and to switch users)");
const noSetpriv = skipWithoutSystemTool({ command: "setpriv", debianPackage: "util-linux" });

/** What a process running as `uid` gets when it sends a CONNECT on `socketPath`. */
async function connectAs(uid: number, socketPath: string): Promise<string> {
  const script = `const s = require("node:net").connect(${JSON.stringify(socketPath)});
s.on("data", (d) => { console.log(String(d).split("\\r\\n")[0]); process.exit(0); });
s.on("error", (e) => { console.log(e.code); process.exit(0); });
s.write("CONNECT evil.test:443 HTTP/1.1\\r\\n\\r\\n");`;
  const child = Bun.spawn(
    ["setpriv", `--reuid=${uid}`, `--regid=${uid}`, "--clear-groups", process.execPath, "-e", script],
    { stdout: "pipe", stderr: "pipe" },
  );
  const timer = setTimeout(() => child.kill(), 10_000);
  const out = await new Response(child.stdout).text();
  clearTimeout(timer);
  return out.trim();
}

describe.skipIf(notRoot || noSetpriv)("the socket file for a sandbox with a uid of its own", () => {
  it("is connectable by the owner given (the sandbox's uid) and by no other user", async () => {
    const dir = tempDir("buntime-egress-");
    // The sandbox's tools run as its uid before bwrap binds the socket: they must pass the folder.
    chmodSync(dir, 0o711);
    const socketPath = join(dir, "egress.sock");
    const proxy = await startEgressProxy({
      socketPath,
      policy: { app: "todo@1.2.0", hosts: [] },
      owner: { uid: 65_534, gid: 65_534 },
    });
    onCleanup(() => proxy.close());
    expect(lstatSync(socketPath)).toMatchObject({ uid: 65_534, gid: 65_534 });
    expect(lstatSync(socketPath).mode & 0o777).toBe(0o600);
    expect(await connectAs(65_534, socketPath)).toBe("HTTP/1.1 403 Forbidden");
    expect(await connectAs(65_533, socketPath)).toBe("EACCES");
  }, 20_000);

  it("without an owner stays the kernel's (a sandbox uid is refused) until chown gives it away", async () => {
    const dir = tempDir("buntime-egress-");
    chmodSync(dir, 0o711);
    const socketPath = join(dir, "egress.sock");
    const proxy = await startEgressProxy({ socketPath, policy: { app: "todo@1.2.0", hosts: [] } });
    onCleanup(() => proxy.close());
    expect(await connectAs(65_534, socketPath)).toBe("EACCES");
    await proxy.chown({ uid: 65_534, gid: 65_534 });
    expect(await connectAs(65_534, socketPath)).toBe("HTTP/1.1 403 Forbidden");
  }, 20_000);
});
