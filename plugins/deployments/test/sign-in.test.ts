/**
 * The deployments API's own 401 names where to sign in (`signIn`), wherever the auth plugin is
 * mounted, so the page's Sign in link goes there. The auth provider here is a stand-in at `/id`
 * that knows no one, so the deployments plugin's own refusal answers (no guard in front of it).
 */
import { describe, expect, it } from "bun:test";
import type { InlinePlugin } from "@buntime/kernel";
import { BuntimeError, definePlugin } from "@buntime/sdk";
import { start } from "./support.ts";

/** A plugin at `base` that provides `auth` and signs no one in. */
function signedOutAuthAt(base: string): InlinePlugin {
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
  } as InlinePlugin;
}

describe("the deployments API signed out, with auth mounted at /id", () => {
  it("answers the coded 401 naming /id/login, with the Bearer challenge", async () => {
    const { get } = await start([signedOutAuthAt("/id")]);
    const response = await get("/deployments/api/apps");
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe('Bearer realm="buntime"');
    expect(await response.json()).toEqual({
      error: {
        code: "BUNTIME_ERR_AUTH_REQUIRED",
        message: "/deployments/api/apps needs a signed-in user or a token",
      },
      signIn: "/id/login",
    });
  });

  it("still answers 403, without signIn, where no auth plugin runs", async () => {
    const { get } = await start();
    const response = await get("/deployments/api/apps");
    expect(response.status).toBe(403);
    expect(await response.json()).not.toHaveProperty("signIn");
  });
});
