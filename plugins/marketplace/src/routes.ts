/**
 * The marketplace's pages and API, mounted at its base: `/` (browse), `/plugin/<name>`
 * (detail), `/installed`, `/audit`, `/media/…` (icons and screenshots, relayed); `api/plan` (GET), `api/apply` (POST, JSON), `api/jobs/<id>/events`
 * (SSE) and `api/audit.jsonl`. Pages are server-rendered; `ui/marketplace.js` draws plans
 * and progress.
 */
import { BuntimeError, type PluginContext, type RequestContext } from "@buntime/sdk";
import { type Context, Hono } from "hono";
import { streamSSE } from "hono/streaming";
import { z } from "zod";
import { type Caller, callerOf, requireAdmin } from "./access.ts";
import { applyPlan } from "./apply.ts";
import type { AuditTrail } from "./audit.ts";
import { exportDistribution } from "./export-distro.ts";
import { readHomeState } from "./home-state.ts";
import type { JobBoard } from "./jobs.ts";
import { relayMedia } from "./media.ts";
import { CliError, makePlan, type PlanEnv } from "./plans.ts";
import type { MarketplaceRegistry } from "./registry.ts";
import { applySchema, marketplaceDescriptions as describe, pinSchema } from "./route-descriptions.ts";
import { newestVersions, type PinStore, updateSet } from "./updates.ts";
import { renderBrowse } from "./views/browse.ts";
import { type LocalState, renderDetail } from "./views/detail.ts";
import { renderAudit, renderInstalled } from "./views/installed.ts";
import { type Html, PAGE_CSP, page, problem } from "./views/layout.ts";

/** What the routes work with. */
export interface MarketplaceDeps {
  ctx: PluginContext;
  base: string;
  registry: MarketplaceRegistry;
  jobs: JobBoard;
  trail: AuditTrail;
  pins: PinStore;
  /** The plan environment; throws (no CLI) when the marketplace cannot act. */
  planEnv(): PlanEnv;
  compatible(range: string | null | undefined): boolean;
}

/** The routes' bindings: the request context, and the caller set by the first middleware. */
export type Env = { Bindings: RequestContext; Variables: { caller: Caller } };

/** A write's JSON body, checked against `schema`; anything else (a form post, bad fields) is a 400. */
async function jsonBody<T extends z.ZodType>(c: Context<Env>, schema: T): Promise<z.output<T>> {
  if (!(c.req.header("content-type") ?? "").startsWith("application/json"))
    throw new BuntimeError("BUNTIME_ERR_BAD_REQUEST", {
      details: "send the request body as application/json",
    });
  const parsed = schema.safeParse(await c.req.json().catch(() => undefined));
  if (!parsed.success)
    throw new BuntimeError("BUNTIME_ERR_BAD_REQUEST", { details: z.prettifyError(parsed.error) });
  return parsed.data;
}

/** Builds the routes. */
export function createRoutes(deps: MarketplaceDeps): Hono<Env> {
  const { base, ctx } = deps;
  const app = new Hono<Env>();
  const send = (c: Context<Env>, title: string, tab: "browse" | "installed" | "audit", body: Html) => {
    c.header("content-security-policy", PAGE_CSP);
    c.header("x-content-type-options", "nosniff");
    c.header("referrer-policy", "same-origin");
    return c.html(page(base, title, tab, body));
  };
  const kernelPlugins = () => ctx.services.get("kernel:plugins");

  const updatesFor = (action: string) =>
    action === "update-all"
      ? updateSet(deps.registry, ctx.kernel.version, readHomeState(homeOf(ctx)), deps.pins)
      : Promise.resolve(undefined);

  app.use("*", async (c, next) => {
    const caller = await callerOf(ctx, c.req.raw, c.env);
    if (caller instanceof Response) return caller;
    c.set("caller", caller);
    await next();
  });

  // the browse page answers the base with and without its trailing slash: mounted under the
  // base, "/" matches only the bare base, and an empty segment is what the slash leaves
  app.get("/:slash{^$}?", async (c) => {
    const query = {
      q: c.req.query("q")?.slice(0, 200),
      category: c.req.query("category")?.slice(0, 100),
      sort: c.req.query("sort")?.slice(0, 20),
      compatible: c.req.query("compatible") === "1",
    };
    try {
      const [result, categories] = await Promise.all([
        deps.registry.search({ ...query, kernel: query.compatible ? ctx.kernel.version : undefined }),
        deps.registry.categories(),
      ]);
      const installed = readHomeState(homeOf(ctx)).installed;
      return send(c, "Browse", "browse", renderBrowse(base, query, categories, result, installed));
    } catch (error) {
      return send(c, "Browse", "browse", problem((error as Error).message, (error as BuntimeError).code));
    }
  });

  app.get("/media/:path{.+}", (c) => relayMedia(c.req.param("path"), deps.registry.raw));

  app.get("/plugin/:name{.+}", async (c) => {
    const name = c.req.param("name");
    let detail: Awaited<ReturnType<MarketplaceRegistry["detail"]>>;
    try {
      detail = await deps.registry.detail(name);
    } catch (error) {
      return send(c, name, "browse", problem((error as Error).message, (error as BuntimeError).code));
    }
    if (!detail) {
      c.status(404);
      return send(c, name, "browse", problem(`${name} is not in the registry ${deps.registry.url}`));
    }
    const home = readHomeState(homeOf(ctx));
    const running = kernelPlugins()
      .list()
      .find((p) => p.name === name);
    const local: LocalState = {
      kernelVersion: ctx.kernel.version,
      running: running?.version,
      installed: home.installed.get(name),
      previous: home.previous.get(name),
      compatible: deps.compatible,
    };
    return send(c, name, "browse", renderDetail(base, detail, local, c.get("caller").admin));
  });

  app.get("/installed", async (c) => {
    const home = readHomeState(homeOf(ctx));
    const running = new Map(
      kernelPlugins()
        .list()
        .map((p) => [p.name, p]),
    );
    let compatible = new Map<string, string>();
    let note: string | undefined;
    try {
      compatible = (await newestVersions(deps.registry, ctx.kernel.version)).compatible;
    } catch (error) {
      note = `Updates unknown: ${(error as Error).message}`;
    }
    const rows = [...home.installed].map(([name, version]) => {
      const latest = compatible.get(name);
      return {
        name,
        version,
        running: running.get(name)?.version,
        status: running.get(name)?.status,
        previous: home.previous.get(name),
        pinned: deps.pins.has(name),
        update: latest && Bun.semver.order(latest, version) > 0 ? latest : undefined,
      };
    });
    return send(c, "Installed", "installed", renderInstalled(base, rows, c.get("caller").admin, note));
  });

  app.get("/api/export.distro.json", describe.exportDistro, async (c) => {
    requireAdmin(c.get("caller"), "export the installed set");
    const manifest = await exportDistribution(deps.planEnv());
    c.header("content-disposition", 'attachment; filename="buntime.distro.json"');
    c.header("content-type", "application/json");
    return c.body(manifest);
  });

  app.post("/api/pin", describe.pin, async (c) => {
    const caller = c.get("caller");
    requireAdmin(caller, "pin plugins");
    const { name, pinned } = await jsonBody(c, pinSchema);
    if (!readHomeState(homeOf(ctx)).installed.has(name))
      throw new BuntimeError("BUNTIME_ERR_INSTALL_NOT_INSTALLED", { package: name, home: homeOf(ctx) });
    deps.pins.set(name, pinned);
    deps.trail.append({
      at: new Date().toISOString(),
      who: caller.who,
      action: pinned ? "pin" : "unpin",
      plugins: [{ name }],
      permissionsAccepted: [],
      outcome: "done",
    });
    return c.json({ name, pinned });
  });

  app.get("/audit", (c) => send(c, "Audit trail", "audit", renderAudit(base, deps.trail.recent())));
  app.get("/api/audit.jsonl", describe.audit, (c) => {
    requireAdmin(c.get("caller"), "read the audit trail");
    return c.body(deps.trail.text(), 200, { "content-type": "application/x-ndjson; charset=utf-8" });
  });

  app.get("/api/plan", describe.plan, async (c) => {
    requireAdmin(c.get("caller"), "plan changes");
    const parsed = applySchema.omit({ acceptPermissions: true }).safeParse(c.req.query());
    if (!parsed.success)
      throw new BuntimeError("BUNTIME_ERR_BAD_REQUEST", { details: z.prettifyError(parsed.error) });
    const { action, name, version } = parsed.data;
    return c.json(await makePlan(deps.planEnv(), action, name, version, await updatesFor(action)));
  });

  app.post("/api/apply", describe.apply, async (c) => {
    const caller = c.get("caller");
    requireAdmin(caller, "install, upgrade or remove plugins");
    const { action, name, version, acceptPermissions } = await jsonBody(c, applySchema);
    const env = deps.planEnv();
    // plan again, now: consent binds to what will actually be applied, not to what a page claims
    const plan = await makePlan(env, action, name, version, await updatesFor(action));
    const widened = plan.steps.flatMap((s) => s.widened.map((line) => `${s.name}: ${line}`));
    if (widened.length > 0 && !acceptPermissions) {
      throw new BuntimeError("BUNTIME_ERR_MARKETPLACE_CONSENT_REQUIRED", {
        package: name,
        details: widened.join("; "),
      });
    }
    if (plan.steps.length === 0) return c.json({ job: null, message: "already installed: nothing to do" });
    const job = deps.jobs.start(`${action} ${name}`);
    const accepted = plan.steps.flatMap((s) =>
      s.change === "remove" ? [] : s.widened.length ? s.widened : s.permissions,
    );
    void applyPlan(env, plan, job, deps.trail, caller.who, accepted).catch((error) =>
      job.emit({ type: "failed", message: (error as Error).message }),
    );
    return c.json({ job: job.id, events: `${base}/api/jobs/${job.id}/events`, plan }, 202);
  });

  app.get("/api/jobs/:id/events", describe.jobEvents, (c) => {
    requireAdmin(c.get("caller"), "follow a job");
    const job = deps.jobs.get(c.req.param("id"));
    return streamSSE(c, async (stream) => {
      let aborted = false;
      let wake = () => {};
      stream.onAbort(() => {
        aborted = true;
        wake();
      });
      // reads the job's events by index: a late listener gets them all, a live one each as it comes
      for (let i = 0; !aborted; ) {
        while (i < job.events.length) {
          await stream.writeSSE({ event: "job", data: JSON.stringify(job.events[i]), id: String(i) });
          i++;
        }
        if (job.finished) break;
        await new Promise<void>((resolve) => {
          const stop = job.listen(() => {
            stop();
            resolve();
          });
          wake = () => {
            stop();
            resolve();
          };
          if (i < job.events.length || aborted) wake();
        });
      }
    });
  });

  app.onError((error) => {
    if (error instanceof BuntimeError || error instanceof CliError) return error.getResponse();
    throw error;
  });
  return app;
}

/** The kernel's home: the parent of its apps folder. */
export function homeOf(ctx: PluginContext): string {
  return ctx.kernel.appsDir.replace(/[/\\]apps[/\\]?$/, "");
}
