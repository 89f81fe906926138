/**
 * `npm start -- --registry-port <n>`: the kernel's marketplace browses and plans against the
 * registry this start runs, wherever it listens, not the CLI's default 127.0.0.1:4873; a registry
 * named in BUNTIME_REGISTRY stays the one it uses.
 */
import { describe, expect, it } from "bun:test";
import { startDefaultDistribution } from "@buntime/test-kit/distribution";
import { tempDir } from "@buntime/test-kit/fixtures";
import { untilListening } from "@buntime/test-kit/listening";
import { freeLoopbackPort } from "@buntime/test-kit/ports";

const PASSWORD = "registry-port-test-password";

/** Signs in as the admin on the kernel at `url`; the session cookie. */
async function signIn(url: URL): Promise<string> {
  const login = await fetch(new URL("/auth/login", url), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: "admin", password: PASSWORD }),
  });
  expect(login.status).toBe(200);
  return (login.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
}

describe("npm start on a registry port of its own", () => {
  it("has the marketplace browse and plan against the registry it started (port 0: not 4873)", async () => {
    const home = tempDir();
    const child = startDefaultDistribution(home, { BUNTIME_ADMIN_PASSWORD: PASSWORD });
    try {
      const { url, output } = await untilListening(child.stdout);
      const registry = output.match(/registry (\S+) seeded/)?.[1];
      expect(registry).not.toContain(":4873/");
      const cookie = await signIn(url);

      const browse = await fetch(new URL("/marketplace/", url), { headers: { cookie } });
      expect(browse.status).toBe(200);
      expect(await browse.text()).toContain("@buntime/plugin-ratelimit");

      const plan = await fetch(
        new URL("/marketplace/api/plan?action=install&name=@buntime/plugin-ratelimit", url),
        { headers: { cookie } },
      );
      const body = await plan.text();
      expect(body).not.toContain("ECONNREFUSED");
      expect(plan.status).toBe(200);
      expect(JSON.parse(body).steps).toContainEqual(
        expect.objectContaining({ name: "@buntime/plugin-ratelimit", version: "0.1.0" }),
      );
      child.kill("SIGTERM");
      expect(await child.exited).toBe(0);
    } finally {
      child.kill("SIGKILL");
    }
  }, 90_000);

  it("leaves the marketplace on the registry BUNTIME_REGISTRY names", async () => {
    const home = tempDir();
    const named = `http://127.0.0.1:${freeLoopbackPort()}/`;
    const child = startDefaultDistribution(home, {
      BUNTIME_ADMIN_PASSWORD: PASSWORD,
      BUNTIME_REGISTRY: named,
    });
    try {
      const { url } = await untilListening(child.stdout);
      const cookie = await signIn(url);
      const browse = await (await fetch(new URL("/marketplace/", url), { headers: { cookie } })).text();
      expect(browse).toContain(`registry ${named} is unreachable`);
      child.kill("SIGTERM");
      expect(await child.exited).toBe(0);
    } finally {
      child.kill("SIGKILL");
    }
  }, 90_000);
});
