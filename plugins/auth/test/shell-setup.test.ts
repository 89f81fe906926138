/**
 * With the shell running beside auth and no admin yet, the sign-in page and the log point a
 * person at the shell's first-run page (`/shell/setup`); without the shell, or once an admin
 * exists, they do not.
 */
import { afterEach, describe, expect, it } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { TestPlugin } from "@buntime/kernel/testing";
import { definePlugin } from "@buntime/sdk";
import { HASHING, json, startAuth, stopKernels } from "./support.ts";

afterEach(stopKernels);

/** Stands in for @buntime/shell: its name and base are what auth looks for. */
function fakeShell(base = "/shell"): TestPlugin {
  return {
    packageJson: {
      name: "@buntime/shell",
      version: "0.1.0",
      buntime: { kernel: "^0.1.0", base, optionalDependencies: { "@buntime/plugin-auth": "^0.1.0" } },
    },
    plugin: definePlugin({ setup: () => ({ fetch: () => new Response("shell") }) }),
  };
}

const loginHtml = async (kernel: { fetch(path: string): Promise<Response> }) =>
  (await kernel.fetch("/auth/login")).text();

const shellLines = (logs: readonly { message: string }[]) =>
  logs.filter((entry) => entry.message.startsWith("no admin user yet: open"));

describe("the first-run pointer to the shell", () => {
  it("links the sign-in page to /shell/setup and logs where to go, while no admin exists", async () => {
    const { kernel } = await startAuth({ adminPassword: null, plugins: [fakeShell()], listen: true });
    expect(await loginHtml(kernel)).toContain('<a href="/shell/setup">Create the first admin</a>');
    const tokenFile = join(kernel.home, "data", "@buntime", "plugin-auth", "setup-token");
    const [line] = shellLines(kernel.logs);
    expect(line?.message).toBe(
      `no admin user yet: open /shell/setup in a browser and paste the one-time setup token printed above (kept in ${tokenFile})`,
    );
    // a failed form sign-in shows the page again, still with the link
    const failed = await kernel.fetch("/auth/login", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "username=admin&password=admin",
    });
    expect(await failed.text()).toContain('href="/shell/setup"');
  });

  it("follows the shell's base, and drops the link once the shell unloads", async () => {
    const { kernel, adminToken } = await startAuth({ adminPassword: null, plugins: [fakeShell("/desk")] });
    expect(await loginHtml(kernel)).toContain('href="/desk/setup"');
    const response = await kernel.fetch(
      new Request("http://localhost/_/api/plugins/@buntime%2Fshell", {
        method: "DELETE",
        headers: { authorization: `Bearer ${adminToken}` },
      }),
    );
    expect(response.status).toBeLessThan(300);
    expect(await loginHtml(kernel)).not.toContain("/setup");
  });

  it("says nothing of the shell when it is not loaded", async () => {
    const { kernel } = await startAuth({ adminPassword: null, listen: true });
    expect(await loginHtml(kernel)).not.toContain("Create the first admin");
    expect(shellLines(kernel.logs)).toEqual([]);
    expect(
      kernel.logs.some((entry) => entry.message.startsWith("no admin user yet: create one with POST")),
    ).toBe(true);
  });

  it(
    "says nothing once an admin exists: from BUNTIME_ADMIN_PASSWORD, or created through setup",
    async () => {
      const withPassword = await startAuth({ plugins: [fakeShell()], listen: true });
      expect(await loginHtml(withPassword.kernel)).not.toContain("Create the first admin");
      expect(shellLines(withPassword.kernel.logs)).toEqual([]);
      await stopKernels();

      const { kernel } = await startAuth({ adminPassword: null, plugins: [fakeShell()] });
      const token = readFileSync(
        join(kernel.home, "data", "@buntime", "plugin-auth", "setup-token"),
        "utf8",
      ).trim();
      const done = await kernel.fetch(
        "/auth/setup",
        json("POST", { token, username: "ada", password: "adas password" }),
      );
      expect(done.status).toBeLessThan(300);
      expect(await loginHtml(kernel)).not.toContain("Create the first admin");
    },
    HASHING,
  );
});
