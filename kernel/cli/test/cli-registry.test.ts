import { afterAll, expect, it } from "bun:test";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const CLI = join(import.meta.dir, "..", "bin", "buntime.ts");
const dir = mkdtempSync(join(tmpdir(), "buntime-cli-registry-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("refuses to start the registry on a --signing-key file that does not exist, creating no key", async () => {
  const storage = join(dir, "store");
  const missing = join(dir, "typo.pem");
  const child = Bun.spawn(
    [
      process.execPath,
      CLI,
      "registry",
      "start",
      "--port",
      "0",
      "--storage",
      storage,
      "--signing-key",
      missing,
    ],
    {
      cwd: dir,
      stdout: "pipe",
      stderr: "pipe",
      stdin: "ignore",
      env: { PATH: process.env.PATH ?? "", HOME: dir },
    },
  );
  const [stderr, code] = await Promise.all([new Response(child.stderr).text(), child.exited]);
  expect(stderr).toContain(
    `registry signing key ${missing}: no such file [BUNTIME_ERR_REGISTRY_SIGNING_KEY_INVALID]`,
  );
  expect(code).toBe(1);
  expect(existsSync(join(storage, "signing"))).toBe(false);
}, 20_000);
