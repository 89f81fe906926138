/** Policies decide app requests after auth: allow, deny, default deny, explain, and bad input refused. */
import { describe, expect, it } from "bun:test";
import { startAuthz } from "./support.ts";

const HASHING = 30_000;

describe("policies on app requests", () => {
  it(
    "deny every app request by default, then allow and deny by rule, a deny winning",
    async () => {
      const { kernel, asAdmin, put } = await startAuthz();
      const denied = await kernel.fetch("/notes/");
      expect(denied.status).toBe(403);
      expect(await denied.json()).toEqual({
        error: {
          code: "BUNTIME_ERR_AUTHZ_DENIED",
          message: "GET /notes/: no policy matches: denied by default",
        },
      });
      // plugin paths are not the policies' business: sign-in and the API still answer
      expect((await asAdmin("/authz/api/policies")).status).toBe(200);

      expect(
        (await put({ id: "read-notes", effect: "allow", apps: ["notes"], methods: ["GET"] })).status,
      ).toBe(200);
      expect((await kernel.fetch("/notes/")).status).toBe(200);
      expect((await kernel.fetch("/notes/", { method: "POST" })).status).toBe(403);

      const admin = await put({
        id: "no-admin-anon",
        effect: "deny",
        roles: ["anonymous"],
        paths: ["/notes/admin/**"],
      });
      expect(admin.status).toBe(200);
      const blocked = await kernel.fetch("/notes/admin/x");
      expect(blocked.status).toBe(403);
      expect((await blocked.json()).error.message).toBe(
        "GET /notes/admin/x: denied by no-admin-anon (a deny rule wins)",
      );
      // a signed-in admin is not anonymous: the allow rule lets them through
      const signed = await asAdmin("/notes/admin/x");
      expect(signed.status).toBe(200);
      expect(await signed.json()).toEqual({ user: "admin" });

      expect((await asAdmin("/authz/api/policies/read-notes", { method: "DELETE" })).status).toBe(204);
      expect((await kernel.fetch("/notes/")).status).toBe(403);
    },
    HASHING,
  );

  it(
    "apply a rule only inside its UTC time window",
    async () => {
      const { kernel, put } = await startAuthz();
      const hour = new Date().getUTCHours();
      const pad = (h: number) => `${String(h % 24).padStart(2, "0")}:00`;
      await put({
        id: "later",
        effect: "allow",
        apps: ["notes"],
        time: { from: pad(hour + 2), to: pad(hour + 3) },
      });
      expect((await kernel.fetch("/notes/")).status).toBe(403);
      await put({
        id: "now",
        effect: "allow",
        apps: ["notes"],
        time: { from: pad(hour), to: pad(hour + 1) },
      });
      expect((await kernel.fetch("/notes/")).status).toBe(200);
    },
    HASHING,
  );

  it(
    "let everything through when disabled",
    async () => {
      const { kernel } = await startAuthz({ enabled: false });
      expect((await kernel.fetch("/notes/")).status).toBe(200);
    },
    HASHING,
  );
});

describe("the explain endpoint", () => {
  it(
    "says which rule decides a request and why, for admins only",
    async () => {
      const { kernel, asAdmin, put } = await startAuthz();
      await put({ id: "editors", effect: "allow", roles: ["editor"], apps: ["notes"] });
      await put({ id: "no-delete", effect: "deny", methods: ["DELETE"] });
      const query = "/authz/api/explain?method=delete&path=/notes/a&user=ada&roles=editor";
      const response = await asAdmin(query);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({
        subject: { user: "ada", roles: ["editor"], app: "notes", method: "DELETE", path: "/notes/a" },
        allowed: false,
        rule: "no-delete",
        matched: ["editors", "no-delete"],
      });
      const get = await (await asAdmin("/authz/api/explain?path=/notes/a&user=ada&roles=editor")).json();
      expect(get).toMatchObject({ allowed: true, rule: "editors", reason: "allowed by editors" });
      const nobody = await (await asAdmin("/authz/api/explain?path=/notes/a")).json();
      expect(nobody).toMatchObject({
        allowed: false,
        rule: null,
        reason: "no policy matches: denied by default",
      });
      expect((await kernel.fetch(query)).status).toBe(401);
    },
    HASHING,
  );
});

describe("the policy API", () => {
  it(
    "refuses a bad policy naming the field, and stores nothing",
    async () => {
      const { kernel, asAdmin, put } = await startAuthz();
      const cases: [Record<string, unknown>, string][] = [
        [{ id: "a", effect: "maybe" }, "effect"],
        [{ id: "a", effect: "allow", methods: ["get"] }, "methods.0"],
        [{ id: "a", effect: "allow", paths: ["notes"] }, "paths.0"],
        [{ id: "a", effect: "allow", time: { from: "25:00", to: "26:00" } }, "time.from"],
        [{ id: "a", effect: "allow", roles: [] }, "roles"],
        [{ id: "a", effect: "allow", extra: 1 }, "policy"],
        [{ id: "-x", effect: "allow" }, "id"],
      ];
      for (const [policy, field] of cases) {
        const response = await put(policy);
        expect(response.status).toBe(400);
        const { error } = await response.json();
        expect(error.code).toBe("BUNTIME_ERR_AUTHZ_POLICY_INVALID");
        expect(error.message).toStartWith(`invalid policy: ${field}:`);
      }
      const mismatch = await asAdmin("/authz/api/policies/b", {
        method: "PUT",
        body: JSON.stringify({ id: "a", effect: "allow" }),
      });
      expect(mismatch.status).toBe(400);
      expect((await (await asAdmin("/authz/api/policies")).json()).policies).toEqual([]);
      // only admins edit: anonymous callers are asked to sign in
      const anonymous = await kernel.fetch("/authz/api/policies/a", {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ id: "a", effect: "allow" }),
      });
      expect(anonymous.status).toBe(401);
      expect((await asAdmin("/authz/api/policies/none", { method: "DELETE" })).status).toBe(404);
    },
    HASHING,
  );

  it(
    "keeps policies in keyval, where another node sharing storage reads them",
    async () => {
      const { kernel, put } = await startAuthz();
      await put({ id: "open", effect: "allow", apps: ["notes"] });
      const stored = await kernel.service("keyval").namespace("authz").get("policy/open");
      expect(stored?.value).toEqual({ id: "open", effect: "allow", apps: ["notes"] });
    },
    HASHING,
  );

  it(
    "applies a policy another node wrote into the shared keyval once the cache expires; a corrupt one denies everything",
    async () => {
      const { kernel } = await startAuthz({ cacheTtl: 0 });
      const kv = kernel.service("keyval").namespace("authz");
      expect((await kernel.fetch("/notes/")).status).toBe(403);
      // what a node sharing this storage does through its own API
      await kv.set("policy/elsewhere", { id: "elsewhere", effect: "allow", apps: ["notes"] });
      expect((await kernel.fetch("/notes/")).status).toBe(200);
      await kv.set("policy/broken", { id: "broken", effect: "deny", methods: "GET" });
      const denied = await kernel.fetch("/notes/");
      expect(denied.status).toBe(403);
      expect((await denied.json()).error.message).toBe("GET /notes/: denied by broken (a deny rule wins)");
      expect(kernel.logs.some((line) => line.message.includes("policy/broken is invalid"))).toBe(true);
    },
    HASHING,
  );
});

describe("the policies page", () => {
  it(
    "is served at the plugin's base (and listed in the shell's menu), while unknown API paths get a coded 404",
    async () => {
      const { kernel, asAdmin } = await startAuthz();
      const page = await kernel.fetch("/authz/");
      expect(page.status).toBe(200);
      expect(await page.text()).toContain("<h1>Access policies</h1>");
      expect((await kernel.fetch("/authz/authz.js")).status).toBe(200);
      const menu = kernel
        .service("kernel:plugins")
        .list()
        .find((plugin) => plugin.name === "@buntime/plugin-authz");
      expect(JSON.stringify(menu)).toContain('"/authz/"');
      const missing = await asAdmin("/authz/api/nothing");
      expect(missing.status).toBe(404);
      expect((await missing.json()).error.code).toBe("BUNTIME_ERR_NOT_FOUND");
    },
    HASHING,
  );
});
