/**
 * A plugin or app that refuses a signed-out page load on its own (a 401, or a redirect to sign-in
 * while framed) is turned into sign-in like the guard's refusals: the window is redirected, a
 * frame gets the 401 page that asks the shell, and scripts and API paths keep the JSON 401.
 */
import { afterEach, describe, expect, it } from "bun:test";
import type { TestPlugin } from "@buntime/kernel/testing";
import { BuntimeError, definePlugin } from "@buntime/sdk";
import { errorOf, HASHING, signIn, startAuth, stopKernels } from "./support.ts";

afterEach(stopKernels);

/** At `/own`: its page answers 401 itself unless signed in, `/own/redirect` sends to sign-in, `/own/basic` asks for Basic auth. */
const ownRefusals: TestPlugin = {
  packageJson: { name: "own", version: "1.0.0", buntime: { kernel: "^0.1.0", base: "/own" } },
  plugin: definePlugin({
    setup: () => ({
      fetch(_request, context) {
        if (context.pathname === "/own/redirect")
          return new Response(null, {
            status: 302,
            headers: { location: "/auth/login?next=%2Fown%2Fredirect" },
          });
        if (context.pathname === "/own/basic")
          return new Response("who?", { status: 401, headers: { "www-authenticate": 'Basic realm="x"' } });
        if (context.locals.user) return new Response("page");
        return new BuntimeError("BUNTIME_ERR_AUTH_REQUIRED", { path: context.pathname }).getResponse();
      },
    }),
  }),
};

const NAVIGATE = { "sec-fetch-mode": "navigate", "sec-fetch-dest": "document", accept: "text/html" };
const FRAME = { "sec-fetch-mode": "navigate", "sec-fetch-dest": "iframe", accept: "text/html" };

describe("refusals of page loads by other plugins", () => {
  it(
    "end at sign-in for a signed-out browser, and stay as they are for scripts, APIs and signed-in users",
    async () => {
      const { kernel } = await startAuth({ plugins: [ownRefusals] });
      const top = await kernel.fetch("/own/page?a=1", { headers: NAVIGATE });
      expect(top.status).toBe(302);
      expect(top.headers.get("location")).toBe(`/auth/login?next=${encodeURIComponent("/own/page?a=1")}`);

      const framed = await kernel.fetch("/own/page", { headers: FRAME });
      expect(framed.status).toBe(401);
      expect(await framed.text()).toContain('target="_top"');
      // a redirect to sign-in would put the form in the frame: the frame gets the 401 page instead
      const redirected = await kernel.fetch("/own/redirect", { headers: FRAME });
      expect(redirected.status).toBe(401);
      expect(await redirected.text()).toContain('href="/auth/login?next=%2Fown%2Fredirect"');
      expect((await kernel.fetch("/own/redirect", { headers: NAVIGATE })).status).toBe(302);

      const script = await kernel.fetch("/own/page", {
        headers: { "sec-fetch-mode": "cors", accept: "text/html" },
      });
      expect(script.status).toBe(401);
      expect((await errorOf(script)).code).toBe("BUNTIME_ERR_AUTH_REQUIRED");
      // a script's call redirected to sign-in would read the form: it gets the JSON 401
      const called = await kernel.fetch("/own/redirect", { headers: { "sec-fetch-mode": "cors" } });
      expect(called.status).toBe(401);
      expect(((await called.clone().json()) as { signIn: string }).signIn).toBe("/auth/login");
      expect((await errorOf(called)).code).toBe("BUNTIME_ERR_AUTH_REQUIRED");
      // curl and a form post (a navigation) keep the redirect
      expect((await kernel.fetch("/own/redirect")).status).toBe(302);
      const posted = await kernel.fetch("/own/redirect", {
        method: "POST",
        headers: { "sec-fetch-mode": "navigate" },
      });
      expect(posted.status).toBe(302);
      const api = await kernel.fetch("/own/api/x", { headers: NAVIGATE });
      expect((await errorOf(api)).code).toBe("BUNTIME_ERR_AUTH_REQUIRED");
      // a Basic challenge is the browser's to answer
      const basic = await kernel.fetch("/own/basic", { headers: NAVIGATE });
      expect(basic.status).toBe(401);
      expect(basic.headers.get("www-authenticate")).toBe('Basic realm="x"');

      const cookie = await signIn(kernel);
      const signedIn = await kernel.fetch("/own/page", { headers: { ...NAVIGATE, cookie } });
      expect(await signedIn.text()).toBe("page");
    },
    HASHING,
  );

  it("keeps the sign-in and first-admin pages out of frames", async () => {
    const { kernel } = await startAuth({ adminPassword: null });
    for (const path of ["/auth/login", "/auth/setup"]) {
      const page = await kernel.fetch(path);
      expect(page.headers.get("content-security-policy")).toBe("frame-ancestors 'none'");
      expect(page.headers.get("x-frame-options")).toBe("DENY");
    }
  });
});
