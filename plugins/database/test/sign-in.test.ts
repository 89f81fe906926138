/**
 * With the auth plugin mounted elsewhere (`/id`), the console's 401 and its page's redirect name
 * that sign-in page, not a fixed `/auth/login`. The auth provider here is a stand-in that knows
 * no one, so the database plugin's own refusals answer (no guard in front of them).
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { rmSync } from "node:fs";
import type { TestKernel, TestPlugin } from "@buntime/kernel/testing";
import { BuntimeError, definePlugin } from "@buntime/sdk";
import { startKernel, tempHome } from "./support.ts";

/** A plugin at `base` that provides `auth` and signs no one in. */
function signedOutAuthAt(base: string): TestPlugin {
  const refuse = async (request: Request) => {
    throw new BuntimeError("BUNTIME_ERR_AUTH_REQUIRED", { path: new URL(request.url).pathname });
  };
  return {
    packageJson: {
      name: "test-auth",
      version: "1.0.0",
      buntime: { kernel: "^0.1.0", base, provides: ["auth"] },
    },
    plugin: definePlugin({
      setup(ctx) {
        ctx.services.provide("auth", {
          currentUser: async () => undefined,
          requireUser: refuse,
          requireRole: refuse,
        });
        return {};
      },
    }),
  };
}

describe("the SQL console with auth mounted at /id", () => {
  let kernel: TestKernel;
  let home: string;
  const at = (path: string) => new URL(path, kernel.url);

  beforeAll(async () => {
    home = tempHome();
    kernel = await startKernel(home, {}, [signedOutAuthAt("/id")]);
  });
  afterAll(async () => {
    await kernel?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it("names /id/login in the API's 401", async () => {
    const response = await fetch(at("/database/api/console/databases"));
    expect(response.status).toBe(401);
    const body = (await response.json()) as { error: { code: string; message: string }; signIn: string };
    expect(body.error.code).toBe("BUNTIME_ERR_DATABASE_ADMIN_REQUIRED");
    expect(body.error.message).toContain("sign in as an admin at /id/login");
    expect(body.signIn).toBe("/id/login");
  });

  it("sends a signed-out visit to the page to /id/login and back, query and all", async () => {
    const page = await fetch(at("/database/?tab=sql"), {
      redirect: "manual",
      headers: { accept: "text/html" },
    });
    expect(page.status).toBe(302);
    expect(page.headers.get("location")).toBe(`/id/login?next=${encodeURIComponent("/database/?tab=sql")}`);
  });
});
