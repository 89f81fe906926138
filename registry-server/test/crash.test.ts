import { describe, expect, it } from "bun:test";
import { createHash } from "node:crypto";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { startRegistry } from "@buntime/registry-server";
import { call, signUp, tempDir } from "./helpers/registry.ts";
import { packageTgz, publishBody } from "./helpers/tarball.ts";

async function spawnRegistry(storageDir: string) {
  const child = Bun.spawn(
    [process.execPath, join(import.meta.dir, "helpers", "serve-registry.ts"), storageDir],
    {
      stdout: "pipe",
      stderr: "ignore",
    },
  );
  const reader = child.stdout.getReader();
  let printed = "";
  while (!printed.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error("the registry process exited before printing its URL");
    printed += new TextDecoder().decode(value);
  }
  return { child, url: printed.trim() };
}

describe("a registry killed in the middle of publishing", () => {
  it("restarts consistent: every listed version has its exact tarball and no orphan remains", async () => {
    const storageDir = join(tempDir(), "store");
    const { child, url } = await spawnRegistry(storageDir);
    const base = url.replace(/\/$/, "");
    const token = await signUp(base, "crasher");
    const bodies = Array.from({ length: 40 }, (_, i) =>
      publishBody("crashy", `1.0.${i}`, packageTgz("crashy", `1.0.${i}`, { n: i })),
    );
    const attempts = bodies.map((body) =>
      call(base, "PUT", "/crashy", { token, body }).catch(() => ({ status: 0 })),
    );
    await Bun.sleep(60);
    child.kill("SIGKILL");
    await child.exited;
    const answered = (await Promise.all(attempts)).filter((r) => r.status === 201).length;

    const registry = await startRegistry({ port: 0, storageDir, orphanGraceMs: 0 });
    try {
      const restarted = registry.url.replace(/\/$/, "");
      const doc = await call(restarted, "GET", "/crashy");
      const versions = doc.status === 200 ? Object.keys(doc.body.versions) : [];
      expect(versions.length).toBeGreaterThanOrEqual(answered);
      for (const version of versions) {
        const bytes = Buffer.from(
          await (await fetch(`${restarted}/crashy/-/crashy-${version}.tgz`)).arrayBuffer(),
        );
        expect(`sha512-${createHash("sha512").update(bytes).digest("base64")}`).toBe(
          doc.body.versions[version].dist.integrity,
        );
      }
      const files = readdirSync(join(storageDir, "tarballs"), { recursive: true })
        .map(String)
        .filter((f) => f.endsWith(".tgz") || f.endsWith(".partial"));
      expect(files.filter((f) => f.endsWith(".tgz"))).toHaveLength(versions.length);
      expect(files.filter((f) => f.endsWith(".partial"))).toEqual([]);
    } finally {
      await registry.stop();
    }
  }, 30_000);
});
