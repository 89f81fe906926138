/**
 * The deployments API's own 401 names where to sign in (`signIn`), wherever the auth plugin is
 * mounted, so the page's Sign in link goes there. The auth provider here is test-kit's stand-in at
 * `/id` that knows no one, so the deployments plugin's own refusal answers (no guard in front of it).
 */
import { describe, expect, it } from "bun:test";
import { signedOutAuthAt } from "@buntime/test-kit/signed-out-auth";
import { start } from "./support.ts";

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
