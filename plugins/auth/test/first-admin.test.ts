/**
 * The first admin in a browser: while no admin exists the sign-in page offers the first-admin
 * page, which trades the one-time setup token for an admin who is signed in and lands where they
 * were going; a wrong token, differing passwords, a hostile `next` and a second attempt fail, and
 * guessing the token is limited. Once an admin exists neither the offer nor the form is shown.
 */
import { afterEach, describe, expect, it } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { TestKernel } from "@buntime/kernel/testing";
import { cookieOf, HASHING, startAuth, stopKernels } from "./support.ts";

afterEach(stopKernels);

const tokenOf = (kernel: TestKernel) =>
  readFileSync(join(kernel.home, "data", "@buntime", "plugin-auth", "setup-token"), "utf8").trim();

/** A form post to the first-admin page, as a browser sends it (same origin). */
function setupForm(kernel: TestKernel, fields: Record<string, string>, action = "/auth/setup") {
  return kernel.fetch(action, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", "sec-fetch-site": "same-origin" },
    body: new URLSearchParams(fields).toString(),
  });
}

const admin = (token: string, extra: Record<string, string> = {}) => ({
  token,
  username: "ada",
  password: "adas password",
  confirm: "adas password",
  ...extra,
});

describe("the first admin, in a browser", () => {
  it("is offered on the sign-in page while no admin exists, keeping where the user was going", async () => {
    const { kernel } = await startAuth({ adminPassword: null, listen: true });
    const login = await (await kernel.fetch("/auth/login?next=%2Flogs%2F")).text();
    expect(login).toContain('<a href="/auth/setup?next=%2Flogs%2F">Create the first admin</a>');
    const page = await kernel.fetch("/auth/setup?next=%2Flogs%2F");
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('action="/auth/setup?next=%2Flogs%2F"');
    expect(html).toContain('name="token"');
    // the token is nowhere in the page, and neither is the server's file system
    expect(html).not.toContain(tokenOf(kernel));
    expect(html).not.toContain(kernel.home);
    // once the kernel listens it names the page by its full address
    const line = kernel.logs.find((entry) => entry.message.startsWith("no admin user yet: create it at"));
    expect(line?.message).toBe(`no admin user yet: create it at ${new URL("/auth/setup", kernel.url).href}`);
  });

  it(
    "refuses a wrong token, differing passwords and a second attempt; signs the admin in and lands on next",
    async () => {
      const { kernel } = await startAuth({ adminPassword: null });
      const token = tokenOf(kernel);
      const wrong = await setupForm(kernel, admin("not-the-token"), "/auth/setup?next=%2Flogs%2F");
      expect(wrong.status).toBe(403);
      const wrongHtml = await wrong.text();
      expect(wrongHtml).toContain("setup refused: wrong setup token");
      expect(wrongHtml).toContain('action="/auth/setup?next=%2Flogs%2F"'); // still going there
      expect(wrong.headers.getSetCookie()).toEqual([]);

      const differ = await setupForm(kernel, admin(token, { confirm: "something else" }));
      expect(differ.status).toBe(400);
      expect(await differ.text()).toContain("the two passwords differ");

      const done = await setupForm(kernel, admin(token, { next: "/logs/?level=warn" }));
      expect(done.status).toBe(303);
      expect(done.headers.get("location")).toBe("/logs/?level=warn");
      const me = await kernel.fetch("/auth/me", { headers: { cookie: cookieOf(done) } });
      expect((await me.json()).user).toEqual({ username: "ada", roles: ["admin"], via: "session" });

      const again = await setupForm(kernel, admin(token, { username: "eve" }));
      expect(again.status).toBe(403);
      expect(await again.text()).toContain("setup refused: an admin already exists");
      const gone = await kernel.fetch("/auth/setup");
      expect(gone.status).toBe(410);
      expect(await gone.text()).not.toContain('name="token"');
      expect(await (await kernel.fetch("/auth/login")).text()).not.toContain("Create the first admin");
    },
    HASHING,
  );

  it(
    "lands on / for a next on another site, however it is spelt",
    async () => {
      const { kernel } = await startAuth({ adminPassword: null });
      const hostile = "//evil.example/";
      const page = await (await kernel.fetch(`/auth/setup?next=${encodeURIComponent(hostile)}`)).text();
      expect(page).not.toContain("evil.example");
      const done = await setupForm(kernel, admin(tokenOf(kernel), { next: "/\\evil.example" }));
      expect(done.headers.get("location")).toBe("/");
    },
    HASHING,
  );

  it("limits guesses of the token per address, and refuses a cross-site form", async () => {
    const { kernel } = await startAuth({ adminPassword: null, config: { loginAttempts: 2 } });
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 3; attempt++)
      statuses.push((await setupForm(kernel, admin(`guess-${attempt}`))).status);
    expect(statuses).toEqual([403, 403, 429]);
    const crossSite = await kernel.fetch("/auth/setup", {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "sec-fetch-site": "cross-site",
        origin: "https://evil.example",
      },
      body: new URLSearchParams(admin(tokenOf(kernel))).toString(),
    });
    expect(crossSite.status).toBe(403);
    expect(crossSite.headers.getSetCookie()).toEqual([]);
  });

  it(
    "offers nothing when BUNTIME_ADMIN_PASSWORD created the admin",
    async () => {
      const { kernel } = await startAuth();
      expect(await (await kernel.fetch("/auth/login")).text()).not.toContain("Create the first admin");
      expect((await kernel.fetch("/auth/setup")).status).toBe(410);
      expect(kernel.logs.some((entry) => entry.message.startsWith("no admin user yet"))).toBe(false);
    },
    HASHING,
  );
});
