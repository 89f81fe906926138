import { afterEach, describe, expect, it } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { TestKernel, TestPlugin } from "@buntime/kernel/testing";
import {
  BuntimeError,
  type CommitResult,
  definePlugin,
  type KeyValueStore,
  type KvEntry,
} from "@buntime/sdk";
import { ADMIN_PASSWORD, errorOf, HASHING, json, signIn, startAuth, stopKernels } from "./support.ts";

afterEach(stopKernels);

/**
 * A keyval stand-in over one Map shared by every kernel given it (versioned reads and writes,
 * paging, namespaces, batches), named as the storage plugin so that auth starts after it.
 */
function fakeKeyval(rows = new Map<string, { value: unknown; version: number }>()) {
  let version = 0;
  const view = (prefix: string): KeyValueStore => {
    const entry = <T>(key: string): KvEntry<T> | null => {
      const row = rows.get(prefix + key);
      return row
        ? { key, value: structuredClone(row.value) as T, version: String(row.version), expiresAt: null }
        : null;
    };
    const holds = (key: string, expected: string | null | undefined) =>
      expected === undefined || (entry(key)?.version ?? null) === expected;
    const write = (apply: () => void): CommitResult => {
      version++;
      apply();
      return { ok: true, version: String(version) };
    };
    const store: KeyValueStore = {
      namespaceName: prefix.replace(/\/$/, ""),
      namespace: (name) => view(`${prefix}${name}/`),
      get: async (key) => entry(key),
      getMany: async (keys) => keys.map((key) => entry(key)),
      async set(key, value, options = {}) {
        if (!holds(key, options.version)) return { ok: false, key };
        return write(() => rows.set(prefix + key, { value: structuredClone(value), version: version }));
      },
      async delete(key, options = {}) {
        if (!holds(key, options.version)) return { ok: false, key };
        return write(() => rows.delete(prefix + key));
      },
      async list<T>(options: { prefix?: string; cursor?: string; limit?: number } = {}) {
        const keys = [...rows.keys()]
          .filter((key) => key.startsWith(prefix + (options.prefix ?? "")))
          .map((key) => key.slice(prefix.length))
          .filter((key) => options.cursor === undefined || key > options.cursor)
          .sort();
        const page = keys.slice(0, options.limit ?? 100);
        const entries = page.map((key) => entry<T>(key) as KvEntry<T>);
        return { entries, cursor: keys.length > page.length ? (page.at(-1) ?? null) : null };
      },
      async batch(operations) {
        const failed = operations.find((operation) => !holds(operation.key, operation.version));
        if (failed) return { ok: false, key: failed.key };
        return write(() => {
          for (const operation of operations) {
            if (operation.type === "set")
              rows.set(prefix + operation.key, { value: operation.value, version });
            if (operation.type === "delete") rows.delete(prefix + operation.key);
          }
        });
      },
    };
    return store;
  };
  const plugin: TestPlugin = {
    packageJson: {
      name: "@buntime/plugin-storage",
      version: "0.1.0",
      buntime: { kernel: "^0.1.0", provides: ["keyval"] },
    },
    plugin: definePlugin({ setup: (ctx) => ctx.services.provide("keyval", view("")) }),
  };
  return { rows, plugin };
}

/** A plugin at /probe that asks the auth service for a role named in the query. */
const probe: TestPlugin = {
  packageJson: {
    name: "probe",
    version: "1.0.0",
    buntime: {
      kernel: "^0.1.0",
      base: "/probe",
      consumes: ["auth"],
      dependencies: { "@buntime/plugin-auth": "^0.1.0" },
    },
  },
  plugin: definePlugin({
    setup(ctx) {
      const auth = ctx.services.get("auth");
      return {
        async fetch(request) {
          const role = new URL(request.url).searchParams.get("role");
          try {
            const user = role ? await auth.requireRole(request, role) : await auth.currentUser(request);
            return Response.json({ user: user ?? null });
          } catch (error) {
            if (error instanceof BuntimeError) return error.getResponse();
            throw error;
          }
        },
      };
    },
  }),
};

describe("storage through the keyval service", () => {
  it(
    "keeps users and sessions in the auth namespace, shared by kernels on one store",
    async () => {
      const storage = fakeKeyval();
      const first = await startAuth({ plugins: [storage.plugin] });
      expect([...storage.rows.keys()]).toEqual(["auth/user/admin"]);
      expect(JSON.stringify(storage.rows.get("auth/user/admin"))).toContain("$argon2id$");
      expect(JSON.stringify([...storage.rows.values()])).not.toContain(ADMIN_PASSWORD);
      expect(first.kernel.logs.some((entry) => entry.message.includes("no keyval service"))).toBe(false);

      const cookie = await signIn(first.kernel);
      const second = await startAuth({ plugins: [storage.plugin] });
      const me = await second.kernel.fetch("/auth/me", { headers: { cookie } });
      expect((await me.json()).user.username).toBe("admin");
      // the session id itself is never stored, only its digest
      const sessionId = cookie.split("=")[1] as string;
      expect([...storage.rows.keys()].some((key) => key.includes(sessionId))).toBe(false);
    },
    HASHING,
  );

  it(
    "lets only one of several kernels on one store create the first admin",
    async () => {
      const storage = fakeKeyval();
      const first = await startAuth({ plugins: [storage.plugin], adminPassword: null });
      const second = await startAuth({ plugins: [storage.plugin], adminPassword: null });
      const tokenOf = (home: string) =>
        readFileSync(join(home, "data", "@buntime", "plugin-auth", "setup-token"), "utf8").trim();
      const setup = (kernel: TestKernel, username: string) =>
        kernel.fetch(
          "/auth/setup",
          json("POST", { token: tokenOf(kernel.home), username, password: "a long passphrase" }),
        );
      const secondToken = tokenOf(second.kernel.home);
      expect((await setup(first.kernel, "ada")).status).toBe(201);
      const late = await second.kernel.fetch(
        "/auth/setup",
        json("POST", { token: secondToken, username: "eve", password: "a long passphrase" }),
      );
      expect(await errorOf(late)).toEqual({
        code: "BUNTIME_ERR_AUTH_SETUP_REFUSED",
        message: "setup refused: an admin already exists",
      });
      expect([...storage.rows.keys()].filter((key) => key.startsWith("auth/user/"))).toEqual([
        "auth/user/ada",
      ]);
    },
    HASHING,
  );

  it(
    "starts a second kernel on a store where the first already made admin from BUNTIME_ADMIN_PASSWORD",
    async () => {
      const storage = fakeKeyval();
      const kernels = await Promise.all([
        startAuth({ plugins: [storage.plugin] }),
        startAuth({ plugins: [storage.plugin] }),
      ]);
      for (const { kernel } of kernels) await signIn(kernel);
      expect([...storage.rows.keys()].filter((key) => key.startsWith("auth/user/"))).toEqual([
        "auth/user/admin",
      ]);
    },
    HASHING,
  );

  it(
    "falls back to memory with a warning when no plugin provides keyval",
    async () => {
      const { kernel } = await startAuth();
      const warning = kernel.logs.find((entry) => entry.message.includes("no keyval service"));
      expect(warning?.level).toBe("warn");
      await signIn(kernel);
    },
    HASHING,
  );
});

describe("sign-in limits with a keyval service", () => {
  it(
    "are kept in it, so kernels that share users share the limits",
    async () => {
      const storage = fakeKeyval();
      const config = { loginAttempts: 2 };
      const [first, second] = await Promise.all([
        startAuth({ plugins: [storage.plugin], config }),
        startAuth({ plugins: [storage.plugin], config }),
      ]);
      const guess = json("POST", { username: "admin", password: "a guess" });
      expect((await first?.kernel.fetch("/auth/login", guess))?.status).toBe(401);
      expect((await second?.kernel.fetch("/auth/login", guess))?.status).toBe(401);
      expect([...storage.rows.keys()].filter((key) => key.startsWith("auth/limits/")).sort()).toEqual([
        "auth/limits/account:admin",
        "auth/limits/address:unknown",
      ]);
      const refused = await first?.kernel.fetch(
        "/auth/login",
        json("POST", { username: "admin", password: ADMIN_PASSWORD }),
      );
      expect(refused?.status).toBe(429);
      expect((await errorOf(refused as Response)).code).toBe("BUNTIME_ERR_AUTH_RATE_LIMITED");
    },
    HASHING,
  );
});

describe("the auth service", () => {
  it(
    "tells other plugins who is calling and checks roles",
    async () => {
      const { kernel, adminToken } = await startAuth({ plugins: [probe] });
      const anonymous = await kernel.fetch("/probe");
      expect(await anonymous.json()).toEqual({ user: null });
      const needsLogin = await kernel.fetch("/probe?role=editor");
      expect(needsLogin.status).toBe(401);

      const admin = await signIn(kernel);
      await kernel.fetch(
        "/auth/api/users",
        json("POST", { username: "bob", password: "bobs password" }, { cookie: admin }),
      );
      const bob = await signIn(kernel, "bob", "bobs password");
      const forbidden = await kernel.fetch("/probe?role=editor", { headers: { cookie: bob } });
      expect(await errorOf(forbidden)).toEqual({
        code: "BUNTIME_ERR_AUTH_FORBIDDEN",
        message: "bob may not GET /probe (needs role editor)",
      });
      const asAdmin = await kernel.fetch("/probe?role=editor", { headers: { cookie: admin } });
      expect(await asAdmin.json()).toEqual({ user: { username: "admin", roles: ["admin"], via: "session" } });
      const kernelToken = await kernel.fetch("/probe?role=admin", {
        headers: { authorization: `Bearer ${adminToken}` },
      });
      expect(await kernelToken.json()).toEqual({
        user: { username: "kernel-admin", roles: ["admin"], via: "kernel-token" },
      });
    },
    HASHING,
  );

  it(
    "takes the kernel's token from the kernel, not from a file in the home folder",
    async () => {
      const { kernel } = await startAuth({ plugins: [probe], adminToken: "the kernel's configured token" });
      writeFileSync(join(kernel.home, "admin-token"), "a token left on disk\n");
      const fromDisk = await kernel.fetch("/probe?role=admin", {
        headers: { authorization: "Bearer a token left on disk" },
      });
      expect(fromDisk.status).toBe(401);
      expect((await errorOf(fromDisk)).code).toBe("BUNTIME_ERR_AUTH_TOKEN_INVALID");
      const configured = await kernel.fetch("/probe?role=admin", {
        headers: { authorization: "Bearer the kernel's configured token" },
      });
      expect((await configured.json()).user.username).toBe("kernel-admin");
    },
    HASHING,
  );
});
