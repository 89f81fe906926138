/** Helpers of the proxy plugin's tests: upstream servers, a stand-in auth service, kernels. */

import { createTestKernel, type TestKernel, type TestPlugin } from "@buntime/kernel/testing";
import proxy from "@buntime/plugin-proxy";
import { type AuthService, BuntimeError, definePlugin, type RequestUser } from "@buntime/sdk";
import proxyPackage from "../package.json" with { type: "json" };

const cleanups: (() => unknown)[] = [];

/** Stops what the test started; every test file registers it with `afterEach`. */
export async function cleanUp(): Promise<void> {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
}

/** Registers `cleanup` to run after the test. */
export function onCleanUp(cleanup: () => unknown): void {
  cleanups.push(cleanup);
}

/** The proxy plugin as an inline test plugin. */
export const proxyPlugin: TestPlugin = { packageJson: proxyPackage, plugin: proxy };

export const ADMIN = "Bearer admin-token";
export const USER = "Bearer user-token";

/** The user behind an `authorization` header: `ADMIN` is an admin, `USER` a plain user. */
function userOf(request: Request): RequestUser | undefined {
  const header = request.headers.get("authorization");
  if (header === ADMIN) return { username: "root", roles: ["admin"] };
  if (header === USER) return { username: "joe", roles: [] };
  return undefined;
}

/** The user behind `request`, or the auth plugin's 401. */
function requireUser(request: Request): RequestUser {
  const user = userOf(request);
  if (!user) throw new BuntimeError("BUNTIME_ERR_AUTH_REQUIRED", { path: new URL(request.url).pathname });
  return user;
}

const fakeAuthService = {
  currentUser: async (request) => userOf(request),
  requireUser: async (request) => requireUser(request),
  async requireRole(request, role) {
    const user = requireUser(request);
    if (!user.roles.includes(role)) {
      throw new BuntimeError("BUNTIME_ERR_AUTH_FORBIDDEN", {
        user: user.username,
        action: "edit rules",
        role,
      });
    }
    return user;
  },
} satisfies AuthService;

/**
 * Stands in for the auth plugin (under its name, so the proxy's optional dependency orders it
 * first): provides the `auth` service and sets `locals.user` for `ADMIN` and `USER`.
 */
export const fakeAuth: TestPlugin = {
  packageJson: {
    name: "@buntime/plugin-auth",
    version: "0.1.0",
    buntime: { kernel: "^0.1.0", provides: ["auth"] },
  },
  plugin: definePlugin({
    setup(ctx) {
      ctx.services.provide("auth", fakeAuthService);
      return {
        onRequest(request, context) {
          const user = userOf(request);
          if (user) context.locals.user = user;
        },
      };
    },
  }),
};

/** A plugin at /echo that says it answered, to show what the proxy left alone. */
export const echoPlugin: TestPlugin = {
  packageJson: { name: "echo", version: "1.0.0", buntime: { kernel: "^0.1.0", base: "/echo" } },
  plugin: definePlugin({
    setup: () => ({ fetch: (request) => new Response(`echo ${new URL(request.url).pathname}`) }),
  }),
};

/** An upstream on loopback that reports what it received. */
export function startUpstream(
  handler: (request: Request) => Response | Promise<Response> = async (request) =>
    Response.json(
      {
        method: request.method,
        path: new URL(request.url).pathname + new URL(request.url).search,
        headers: Object.fromEntries(request.headers),
        body: await request.text(),
      },
      { headers: { "x-upstream": "yes", server: "upstream" } },
    ),
) {
  const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: handler });
  onCleanUp(() => server.stop(true));
  return server.url.href.replace(/\/$/, "");
}

/** Starts a kernel with the proxy (plus `plugins`) and the given rules. */
export async function startProxy(options: { rules?: unknown[]; plugins?: TestPlugin[]; home?: string } = {}) {
  const kernel: TestKernel = await createTestKernel({
    plugins: [proxyPlugin, echoPlugin, ...(options.plugins ?? [])],
    config: {
      ...(options.home ? { home: options.home } : {}),
      plugins: { "@buntime/plugin-proxy": { rules: options.rules ?? [] } },
    },
  });
  onCleanUp(() => kernel.stop());
  return kernel;
}

/** The `{ error: { code, message } }` of a response. */
export async function errorOf(response: Response): Promise<{ code: string; message: string }> {
  return ((await response.json()) as { error: { code: string; message: string } }).error;
}

/** `promise`, or a rejection naming `what` after `ms`: no test waits forever. */
export function within<T>(promise: Promise<T>, what: string, ms = 5_000): Promise<T> {
  let timer: Timer | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
