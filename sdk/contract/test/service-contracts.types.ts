/**
 * Type-level tests of the shared service contracts, checked by `tsc -b` (part of `npm test`):
 * each `@ts-expect-error` fails the build if the line below it compiles. A plugin reads another
 * plugin's service typed, with no cast, and a provider that breaks the contract does not compile.
 */
import {
  type AppsService,
  type AuthService,
  definePlugin,
  type KernelAdmin,
  type KernelPlugins,
  type KeyValueStore,
  type RateLimiter,
  type RequestUser,
} from "@buntime/sdk";

definePlugin({
  async setup(ctx) {
    const keyval: KeyValueStore = ctx.services.get("keyval").namespace("mine");
    const apps: AppsService = ctx.services.get("apps");
    const auth: AuthService = ctx.services.get("auth");
    const ratelimit: RateLimiter = ctx.services.get("ratelimit");
    const plugins: KernelPlugins = ctx.services.get("kernel:plugins");
    const admin: KernelAdmin = ctx.services.get("kernel:admin");
    const request = new Request("http://localhost/");
    const user: RequestUser | undefined = await auth.currentUser(request);
    const app: string | undefined = apps.locate("/todo/items")?.name;
    const decision = await ratelimit.consume("key", { limit: 5, window: "1m" });
    const allowed: boolean = decision.allowed;
    const names: string[] = plugins.list().map((plugin) => plugin.name);
    const isAdmin: boolean = admin.isAdmin(request);
    // @ts-expect-error keyval values come back as the type asked for, and a version is a string
    const version: number = (await keyval.get<{ n: number }>("k"))?.version ?? 0;
    // @ts-expect-error a policy needs a limit
    await ratelimit.consume("key", { window: "1m" });
    // @ts-expect-error locate takes a path, not a request
    apps.locate(request);
    void [user, app, allowed, names, isAdmin, version];
  },
});

definePlugin({
  setup(ctx) {
    const identify = () => undefined;
    // @ts-expect-error an apps provider must locate paths and list folders too
    ctx.services.provide("apps", { identify });
    ctx.services.provide("apps", {
      identify,
      locate: (pathname: string) => ({ name: pathname.slice(1), rest: "/" }),
      folders: async () => [],
    });
    const nobody = async () => undefined;
    // @ts-expect-error an auth provider's requireUser must resolve with a user
    ctx.services.provide("auth", { currentUser: nobody, requireUser: nobody, requireRole: nobody });
  },
});
