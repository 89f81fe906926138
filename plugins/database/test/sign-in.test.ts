/**
 * With the auth plugin mounted elsewhere (`/id`), the console's 401 and its page's redirect name
 * that sign-in page, not a fixed `/auth/login`. The auth provider here is test-kit's stand-in that
 * knows no one, so the database plugin's own refusals answer (no guard in front of them).
 */
import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { rmSync } from "node:fs";
import type { TestKernel } from "@buntime/kernel/testing";
import { signedOutAuthAt } from "@buntime/test-kit/signed-out-auth";
import { startKernel, tempHome } from "./support.ts";

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
