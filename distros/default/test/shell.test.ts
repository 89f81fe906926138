/**
 * The default distribution runs the shell beside the router and auth: a new user who signs in
 * and opens `/` sees the shell's home page, and one who has not is sent to sign in first.
 */
import { describe, expect, it } from "bun:test";
import { startDefaultDistribution } from "@buntime/test-kit/distribution";
import { tempDir } from "@buntime/test-kit/fixtures";
import { untilListening } from "@buntime/test-kit/listening";

const PASSWORD = "shell-test-password-123";
/** What a browser sends when a person opens an address. */
const NAVIGATE = { "sec-fetch-dest": "document", "sec-fetch-mode": "navigate", accept: "text/html" };

describe("the default distribution's home page", () => {
  it("is the shell, behind sign-in, listing the first-party plugins' pages", async () => {
    const home = tempDir();
    const child = startDefaultDistribution(home, { BUNTIME_ADMIN_PASSWORD: PASSWORD });
    try {
      const { url } = await untilListening(child.stdout);
      const plugins = (await (await fetch(new URL("/_/api/plugins", url))).json()).plugins as {
        name: string;
        status: string;
      }[];
      expect(plugins.find((p) => p.name === "@buntime/shell")).toMatchObject({ status: "running" });

      const anonymous = await fetch(new URL("/", url), { headers: NAVIGATE, redirect: "manual" });
      expect(anonymous.status).toBe(302);
      expect(anonymous.headers.get("location")).toStartWith("/auth/login?next=");

      const login = await fetch(new URL("/auth/login", url), {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username: "admin", password: PASSWORD }),
      });
      expect(login.status).toBe(200);
      const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
      const page = await fetch(new URL("/", url), { headers: { ...NAVIGATE, cookie } });
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain("<title>Buntime</title>");
      expect(html).toContain("/logs/");
      expect(html).toContain("/metrics/");
      child.kill("SIGTERM");
      expect(await child.exited).toBe(0);
    } finally {
      child.kill("SIGKILL");
    }
  }, 60_000);
});
