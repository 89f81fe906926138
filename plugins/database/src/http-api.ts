/**
 * The HTTP side: the libSQL remote protocol at `<base>/apps/<app>/v2/pipeline` for apps (each with
 * its own database, proven by its app token), and the admin API at `<base>/api` (the SQL
 * console, backups, restores). Errors the whole request meets are answered as Hrana expects
 * them, `{ message, code }`, with Buntime's `{ error: { code, message } }` beside, so the client
 * shows the message. Other paths under the base fall through to the console's page (`ui/`).
 */
import {
  BuntimeError,
  type Logger,
  type RequestContext,
  type ServiceAccess,
  signInPath,
  signInUrl,
} from "@buntime/sdk";
import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { createBackupRoutes } from "./admin/backups.ts";
import { createConsoleRoutes } from "./admin/console.ts";
import { TENANT_NAME } from "./admin/names.ts";
import { databaseName } from "./database-files.ts";
import type { DatabaseEngine } from "./engine.ts";
import { pipelineRequestSchema } from "./protocol.ts";
import { databaseDescriptions as describe } from "./route-descriptions.ts";

/** Options of the HTTP API. */
export interface DatabaseApiOptions {
  readonly services: ServiceAccess;
  readonly logger: Logger;
  readonly maxRequestBytes: number;
  /** Where backups are written. */
  readonly backupDir: string;
  readonly backend: "sqlite" | "postgres";
  /** At most this many rows of one console statement. */
  readonly consoleMaxRows: number;
  readonly statementTimeout: number;
  /** The console page's path (`<base>/`), which sends a visitor who is not signed in to sign in. */
  readonly pagePath: string;
}

type Env = { Bindings: RequestContext };

/** An error as a Hrana client reads it (`content-type` exactly application/json), with Buntime's shape too. */
function hranaError(error: BuntimeError, extra: Record<string, unknown> = {}): Response {
  const body = { message: error.message, code: error.code, ...error.toJSON(), ...extra };
  return new Response(JSON.stringify(body), {
    status: error.status,
    headers: { "content-type": "application/json" },
  });
}

/** The app the request's token proves; it must be the app whose database the path names. */
function requireOwner(c: Context, services: ServiceAccess): string {
  if (!services.has("apps")) throw new BuntimeError("BUNTIME_ERR_DATABASE_APPS_UNAVAILABLE");
  const caller = services.get("apps").identify(c.req.raw);
  if (!caller) throw new BuntimeError("BUNTIME_ERR_DATABASE_APP_UNAUTHORIZED");
  const database = c.req.param("app") ?? "";
  if (caller !== database)
    throw new BuntimeError("BUNTIME_ERR_DATABASE_FORBIDDEN", { app: caller, database });
  return database;
}

/** The tenant a path names, checked; undefined for the app's own database. */
function tenantOf(c: Context): string | undefined {
  const tenant = c.req.param("tenant");
  if (tenant !== undefined && !TENANT_NAME.test(tenant)) {
    throw new BuntimeError("BUNTIME_ERR_DATABASE_REQUEST_INVALID", {
      details: `tenant ${JSON.stringify(tenant)} must be 1 to 64 of A-Z a-z 0-9 _ -`,
    });
  }
  return tenant;
}

/** Largest body of an admin API request, in bytes. */
const ADMIN_BODY_BYTES = 1_048_576;

/** Builds the API (the plugin's `routes`, mounted at its base). */
export function createDatabaseApi(databases: DatabaseEngine, options: DatabaseApiOptions): Hono<Env> {
  const { services, logger } = options;
  const api = new Hono<Env>();

  api.onError((error) => {
    if (error instanceof BuntimeError) {
      if (error.status >= 500) logger.error(error.message, { code: error.code });
      // the console's page offers the way in: where to sign in (null: the admin token instead)
      const refused =
        error.code === "BUNTIME_ERR_DATABASE_ADMIN_REQUIRED" ||
        error.code === "BUNTIME_ERR_DATABASE_ADMIN_ONLY";
      return hranaError(error, refused ? { signIn: signInPath(services) ?? null } : {});
    }
    logger.error("unexpected database failure", { cause: error });
    return hranaError(new BuntimeError("BUNTIME_ERR_INTERNAL", {}, { cause: error }));
  });

  // the console's page: with the auth plugin, a visitor who is not signed in goes to sign in
  // first (in the shell, a "Sign in" tile); everyone else gets the page, which asks the API
  api.get("*", async (c, next) => {
    if (c.env?.pathname !== options.pagePath) return next();
    const signIn = signInPath(services);
    if (!signIn || c.env.locals.user !== undefined || services.get("kernel:admin").isAdmin(c.req.raw))
      return next();
    return c.redirect(signInUrl(signIn, c.env.pathname + new URL(c.req.url).search), 302);
  });

  // the client asks which versions are served: v2 (JSON) is; v3 is not, so it stays on v2
  api.get("/apps/:app/v2", describe.versions, (c) => c.body(null, 200));

  const limit = bodyLimit({
    maxSize: options.maxRequestBytes,
    onError: (c) => {
      throw new BuntimeError("BUNTIME_ERR_BODY_TOO_LARGE", {
        path: c.req.path,
        limit: options.maxRequestBytes,
      });
    },
  });
  const pipeline = async (c: Context<Env>) => {
    const database = databaseName(requireOwner(c, services), tenantOf(c));
    let json: unknown;
    try {
      json = await c.req.json();
    } catch {
      throw new BuntimeError("BUNTIME_ERR_DATABASE_REQUEST_INVALID", { details: "the body is not JSON" });
    }
    const parsed = pipelineRequestSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? issue.path.join(".") : "the body";
      throw new BuntimeError("BUNTIME_ERR_DATABASE_REQUEST_INVALID", {
        details: `${where}: ${issue?.message}`,
      });
    }
    const { baton, results } = await databases.pipeline(database, parsed.data.baton, parsed.data.requests);
    return c.json({ baton, base_url: null, results });
  };
  api.post("/apps/:app/v2/pipeline", describe.pipeline, limit, pipeline);
  api.post("/apps/:app/tenants/:tenant/v2/pipeline", describe.pipeline, limit, pipeline);
  api.get("/apps/:app/tenants/:tenant/v2", describe.versions, (c) => c.body(null, 200));

  // the admin API takes small JSON bodies only (a statement is at most 100 000 characters)
  api.use(
    "/api/*",
    bodyLimit({
      maxSize: ADMIN_BODY_BYTES,
      onError: (c) => {
        throw new BuntimeError("BUNTIME_ERR_BODY_TOO_LARGE", { path: c.req.path, limit: ADMIN_BODY_BYTES });
      },
    }),
  );
  api.route(
    "/api",
    createBackupRoutes({
      databases,
      services,
      logger,
      dir: options.backupDir,
      extension: options.backend === "postgres" ? "sql" : "sqlite",
    }),
  );
  api.route(
    "/api",
    createConsoleRoutes({
      databases,
      services,
      backend: options.backend,
      maxRows: options.consoleMaxRows,
      statementTimeout: options.statementTimeout,
    }),
  );

  const notFound = (c: Context<Env>) =>
    hranaError(new BuntimeError("BUNTIME_ERR_NOT_FOUND", { path: c.req.path }));
  api.all("/apps/*", notFound);
  api.all("/api/*", notFound);
  return api;
}
