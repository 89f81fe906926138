/** Helpers of the auth plugin's tests: a kernel with auth, fake services, and a few requests. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createTestKernel, type TestKernel, type TestPlugin } from "@buntime/kernel/testing";
import auth from "@buntime/plugin-auth";
import { definePlugin } from "@buntime/sdk";
import authPackage from "../package.json" with { type: "json" };

const kernels: TestKernel[] = [];

/** Stops the kernels the test started; every test file registers it with `afterEach`. */
export async function stopKernels(): Promise<void> {
  for (const kernel of kernels.splice(0)) await kernel.stop();
  delete process.env.BUNTIME_ADMIN_PASSWORD;
}

export const ADMIN_PASSWORD = "correct horse battery";

/**
 * Time allowed to a test: passwords are hashed with argon2id, slow on purpose, and a test that
 * hashes several of them on a loaded machine needs more than bun's default 5 s.
 */
export const HASHING = 20_000;

/** The auth plugin as an inline test plugin. */
export const authPlugin: TestPlugin = { packageJson: authPackage, plugin: auth };

/** A plugin at `/echo` that answers with the user auth put in `locals.user` (name, roles joined). */
export const echoPlugin: TestPlugin = {
  packageJson: { name: "echo", version: "1.0.0", buntime: { kernel: "^0.1.0", base: "/echo" } },
  plugin: definePlugin({
    setup: () => ({
      fetch: (request, context) =>
        Response.json({
          path: new URL(request.url).pathname,
          user: context.locals.user?.username ?? null,
          roles: context.locals.user?.roles.join(",") ?? null,
        }),
    }),
  }),
};

/** The folder of a first-party plugin, for `startAuth({ plugins: [...] })`. */
export function pluginFolder(name: string): string {
  return join(import.meta.dir, "..", "..", name);
}

/**
 * Starts a kernel with auth and `plugins` (inline, or folders); `adminPassword` sets
 * BUNTIME_ADMIN_PASSWORD first; `settings` holds other plugins' settings by package name.
 */
export async function startAuth(
  options: {
    config?: Record<string, unknown>;
    plugins?: (TestPlugin | string)[];
    settings?: Record<string, Record<string, unknown>>;
    adminPassword?: string | null;
    adminToken?: string;
    /** Also listen on 127.0.0.1, for real HTTP requests to `kernel.url`. */
    listen?: boolean;
    /** Kernel settings besides plugin settings (`trustProxy`...). */
    kernel?: Record<string, unknown>;
  } = {},
) {
  // the variable is the process's: set or cleared each time, so no earlier test file's value leaks in
  if (options.adminPassword === null) delete process.env.BUNTIME_ADMIN_PASSWORD;
  else process.env.BUNTIME_ADMIN_PASSWORD = options.adminPassword ?? ADMIN_PASSWORD;
  const kernel = await createTestKernel({
    listen: options.listen,
    plugins: [authPlugin, echoPlugin, ...(options.plugins ?? [])],
    config: {
      ...options.kernel,
      ...(options.adminToken ? { adminToken: options.adminToken } : {}),
      plugins: { ...options.settings, "@buntime/plugin-auth": options.config ?? {} },
    },
  });
  kernels.push(kernel);
  const adminToken = options.adminToken ?? readFileSync(join(kernel.home, "admin-token"), "utf8").trim();
  return { kernel, adminToken };
}

/** The `name=value` of a response's session cookie, for the next request's Cookie header. */
export function cookieOf(response: Response, name = "buntime_session"): string {
  const header = response.headers.getSetCookie().find((cookie) => cookie.startsWith(`${name}=`));
  if (!header) throw new Error(`no ${name} cookie in ${response.status} response`);
  return header.split(";")[0] as string;
}

/** Signs in through the JSON endpoint and returns the cookie. */
export async function signIn(kernel: TestKernel, username = "admin", password = ADMIN_PASSWORD) {
  const response = await kernel.fetch("/auth/login", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ username, password }),
  });
  if (response.status !== 200)
    throw new Error(`sign-in answered ${response.status}: ${await response.text()}`);
  return cookieOf(response);
}

/** A JSON request with optional extra headers. */
export function json(method: string, body: unknown, headers: Record<string, string> = {}): RequestInit {
  return { method, headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) };
}

/** The `{ error: { code, message } }` of a response. */
export async function errorOf(response: Response): Promise<{ code: string; message: string }> {
  return ((await response.json()) as { error: { code: string; message: string } }).error;
}
