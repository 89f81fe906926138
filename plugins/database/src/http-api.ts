/**
 * The HTTP side: the libSQL remote protocol at `<base>/apps/<app>/v2/pipeline` for apps (each with
 * its own database, proven by its app token), and the admin API at `<base>/api` (backups). Errors
 * the whole request meets are answered as Hrana expects them, `{ message, code }`, so the client
 * shows the message.
 */
import { mkdirSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { BuntimeError, type Logger, type RequestContext, type ServiceAccess } from "@buntime/sdk";
import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { type DatabaseEngine, databaseFile, databaseName } from "./databases.ts";
import { pipelineRequestSchema } from "./protocol.ts";

/** Options of the HTTP API. */
export interface DatabaseApiOptions {
  readonly services: ServiceAccess;
  readonly logger: Logger;
  readonly maxRequestBytes: number;
  /** Where backups are written. */
  readonly backupDir: string;
}

type Env = { Bindings: RequestContext };

/** An error as a Hrana client reads it (`content-type` exactly application/json), with Buntime's shape too. */
function hranaError(error: BuntimeError): Response {
  const body = { message: error.message, code: error.code, ...error.toJSON() };
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

/** What a tenant's name may be. */
const TENANT_NAME = /^[A-Za-z0-9_-]{1,64}$/;

function requireAdmin(c: Context, services: ServiceAccess): void {
  if (!services.has("kernel:admin") || !services.get("kernel:admin").isAdmin(c.req.raw)) {
    throw new BuntimeError("BUNTIME_ERR_UNAUTHORIZED", { action: "a database backup" });
  }
}

/** Builds the API (the plugin's `routes`, mounted at its base). */
export function createDatabaseApi(databases: DatabaseEngine, options: DatabaseApiOptions): Hono<Env> {
  const { services, logger } = options;
  const api = new Hono<Env>();

  api.onError((error) => {
    if (error instanceof BuntimeError) {
      if (error.status >= 500) logger.error(error.message, { code: error.code });
      return hranaError(error);
    }
    logger.error("unexpected database failure", { cause: error });
    return hranaError(new BuntimeError("BUNTIME_ERR_INTERNAL", {}, { cause: error }));
  });

  // the client asks which versions are served: v2 (JSON) is; v3 is not, so it stays on v2
  api.get("/apps/:app/v2", (c) => c.body(null, 200));

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
  api.post("/apps/:app/v2/pipeline", limit, pipeline);
  api.post("/apps/:app/tenants/:tenant/v2/pipeline", limit, pipeline);
  api.get("/apps/:app/tenants/:tenant/v2", (c) => c.body(null, 200));

  const backup = async (c: Context<Env>) => {
    requireAdmin(c, services);
    const database = databaseName(c.req.param("app") ?? "", tenantOf(c));
    const stamp = new Date().toISOString().replaceAll(":", "-");
    const path = databaseFile(options.backupDir, database).replace(/\.sqlite$/, `-${stamp}.sqlite`);
    mkdirSync(dirname(path), { recursive: true });
    await databases.backup(database, path);
    return c.json({ database, path, bytes: statSync(path).size }, 201);
  };
  api.post("/api/backups/:app", backup);
  api.post("/api/backups/:app/tenants/:tenant", backup);

  api.all("*", (c) => hranaError(new BuntimeError("BUNTIME_ERR_NOT_FOUND", { path: c.req.path })));
  return api;
}
