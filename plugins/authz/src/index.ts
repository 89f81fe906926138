/**
 * @buntime/plugin-authz: access policies for apps. After the auth plugin has said who is calling
 * (`locals.user`), every request that reaches an app (`locals.app`, as the router located it) is
 * decided by the policies: a matching `deny` wins, else a matching `allow` lets it through, else
 * it is denied (403 `BUNTIME_ERR_AUTHZ_DENIED`). Policies live in keyval and are edited by admins
 * through `/authz/api/policies`; `/authz/api/explain` says which rule decides a request and why.
 */
import {
  BuntimeError,
  definePlugin,
  type KeyValueStore,
  type MaybePromise,
  type RequestContext,
  schemaReferenceSchema,
} from "@buntime/sdk";
import { z } from "zod";
import { decide } from "./decide.ts";
import { PluginBases } from "./plugin-bases.ts";
import type { Policy } from "./policy.ts";
import { createAuthzRoutes } from "./routes.ts";
import { PolicyStore } from "./store.ts";

export type { Decision, Subject } from "./decide.ts";
export type { Policy } from "./policy.ts";
export { parsePolicy, policySchema } from "./policy.ts";

/** Settings of the authz plugin. */
export const authzConfigSchema = z
  .object({
    $schema: schemaReferenceSchema,
    /** Decide app requests by the policies (default deny). Off, the API still edits them. @default true */
    enabled: z.boolean().default(true),
    /** How long (ms) policies read from keyval are reused; a change on another node applies within it. @default 2000 */
    cacheTtl: z.number().int().min(0).max(60_000).default(2_000),
  })
  .strict();

export default definePlugin({
  config: authzConfigSchema,
  setup(ctx) {
    const kv = (): KeyValueStore | undefined =>
      ctx.services.has("keyval") ? ctx.services.get("keyval").namespace("authz") : undefined;
    if (!kv())
      ctx.logger.warn(
        "no keyval service (install @buntime/plugin-storage): policies live in memory, on this node only",
      );
    const store = new PolicyStore(kv, ctx.config.cacheTtl, ctx.logger);
    const apps = () => (ctx.services.has("apps") ? ctx.services.get("apps") : undefined);
    const routes = createAuthzRoutes({
      store,
      auth: () => (ctx.services.has("auth") ? ctx.services.get("auth") : undefined),
      apps,
      logger: ctx.logger,
    });
    const bases = new PluginBases(
      ctx.services.has("kernel:plugins") ? ctx.services.get("kernel:plugins") : undefined,
    );
    return {
      routes,
      ...(ctx.config.enabled && {
        onRequest(request: Request, context: RequestContext): MaybePromise<Response | undefined> {
          const app = context.locals.app;
          if (!app || bases.covers(context.pathname)) return undefined;
          const judge = (policies: readonly Policy[]) => {
            const user = context.locals.user;
            const decision = decide(policies, {
              user: user?.username,
              roles: user?.roles ?? [],
              app: app.name,
              method: request.method,
              path: context.pathname,
              at: new Date(),
            });
            if (decision.allowed) return undefined;
            ctx.logger.info(`${request.method} ${context.pathname}: ${decision.reason}`, {
              requestId: context.requestId,
            });
            return new BuntimeError("BUNTIME_ERR_AUTHZ_DENIED", {
              action: `${request.method} ${context.pathname}`,
              reason: decision.reason,
            }).getResponse();
          };
          // fresh cached policies are decided without awaiting: the common case costs no promise
          const cached = store.fresh();
          return cached ? judge(cached) : store.list().then(judge);
        },
      }),
    };
  },
});
