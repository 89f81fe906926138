/**
 * @buntime/test-kit/signed-out-auth: a stand-in auth plugin that knows no one, for tests of a
 * plugin's own refusals of signed-out callers (there is no guard in front of them, as the real
 * auth plugin would put) and of where they send them to sign in, wherever auth is mounted.
 */
import { BuntimeError, definePlugin, type PluginDefinition } from "@buntime/sdk";

/** An inline plugin (for `createTestKernel` or `createKernel`'s `plugins`): its package.json and definition. */
export interface StandInPlugin {
  readonly packageJson: {
    readonly name: string;
    readonly version: string;
    readonly buntime: {
      readonly kernel: string;
      readonly base: string;
      readonly provides: readonly string[];
    };
  };
  readonly plugin: PluginDefinition;
}

/**
 * A plugin named `test-auth` at `base` that provides `auth` and signs no one in: `currentUser`
 * is undefined and `requireUser`/`requireRole` throw `BUNTIME_ERR_AUTH_REQUIRED` for the path.
 *
 * @example
 * const kernel = await createTestKernel({ plugins: [signedOutAuthAt("/id"), myPlugin] });
 * // my plugin's signInPath(ctx.services) is now "/id/login"
 */
export function signedOutAuthAt(base: string): StandInPlugin {
  const refuse = async (request: Request): Promise<never> => {
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
