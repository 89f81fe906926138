/**
 * The deployments HTTP API at `<base>/api` (admin only: the `admin` role, or the kernel's admin
 * token). The CLI and the UI both deploy through it, so both take the same code path.
 *
 * | method and path                          | does                                                    |
 * | ---------------------------------------- | ------------------------------------------------------- |
 * | `GET /api/apps`                          | every deployed app, its versions, who deployed them     |
 * | `GET /api/apps/:name`                    | one app                                                 |
 * | `POST /api/apps`                         | deploy: a tarball or zip body, or a multipart folder    |
 * | `POST /api/apps/:name/activate`          | `{ "version": "1.2.3" }` becomes active                 |
 * | `POST /api/apps/:name/rollback`          | the version active before the current one               |
 * | `DELETE /api/apps/:name/versions/:ver`   | delete one (not the active) version                     |
 * | `DELETE /api/apps/:name`                 | delete the app                                          |
 * | `GET`, `PUT /api/hosts`                  | the virtual hosts (`{ "shop.example.com": "shop" }`)    |
 */
import {
  authRequired,
  BuntimeError,
  isBuntimeError,
  type Logger,
  type RequestContext,
  type ServiceAccess,
  signInPath,
  validate,
} from "@buntime/sdk";
import { type Context, Hono } from "hono";
import { z } from "zod";
import type { HostsFile } from "./hosts.ts";
import { appDescriptions as describe } from "./route-descriptions.ts";
import type { AppStore } from "./store.ts";
import { FileBag, filesOfArchive, type UploadedFile, type UploadLimits } from "./upload.ts";

type Env = { Bindings: RequestContext };

/** What the API needs from the plugin. */
export interface DeploymentsApiOptions {
  readonly services: ServiceAccess;
  readonly logger: Logger;
  readonly limits: UploadLimits;
  readonly hosts: HostsFile;
}

/**
 * The admin making the request (their username, or `admin-token`); anyone else is refused: with
 * the auth plugin, a caller who is not signed in with 401 (naming the sign-in page, which the page
 * links to), else 403.
 */
function requireAdmin(c: Context<Env>, services: ServiceAccess): string {
  const user = c.env?.locals?.user;
  if (user?.roles.includes("admin")) return user.username;
  if (services.has("kernel:admin") && services.get("kernel:admin").isAdmin(c.req.raw)) return "admin-token";
  if (!user && services.has("auth"))
    throw new BuntimeError("BUNTIME_ERR_AUTH_REQUIRED", { path: new URL(c.req.url).pathname });
  throw new BuntimeError("BUNTIME_ERR_DEPLOY_FORBIDDEN");
}

const envSchema = z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string());

/** `?env=` JSON (or the multipart `env` field) as variable values; a bad one is refused by name. */
function envOf(text: string | undefined): Record<string, string> {
  if (text === undefined || text === "") return {};
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new BuntimeError("BUNTIME_ERR_DEPLOY_UPLOAD_INVALID", { details: "env is not JSON" });
  }
  const parsed = envSchema.safeParse(raw);
  if (!parsed.success)
    throw new BuntimeError("BUNTIME_ERR_DEPLOY_UPLOAD_INVALID", {
      details: 'env must be a JSON object of variable names to strings, e.g. {"API_URL":"https://…"}',
    });
  return parsed.data;
}

/** The files of a deploy request: a tarball body, or the `files` parts of a multipart form. */
async function uploadOf(
  c: Context<Env>,
  limits: UploadLimits,
): Promise<{ files: UploadedFile[]; env: string | undefined }> {
  const type = c.req.header("content-type") ?? "";
  if (!type.startsWith("multipart/form-data")) {
    return {
      files: filesOfArchive(new Uint8Array(await c.req.arrayBuffer()), limits),
      env: c.req.query("env"),
    };
  }
  const form = await c.req.formData();
  const env = form.get("env");
  const tarball = form.get("tarball");
  if (tarball instanceof File) {
    return {
      files: filesOfArchive(await tarball.bytes(), limits),
      env: typeof env === "string" ? env : undefined,
    };
  }
  const bag = new FileBag(limits);
  for (const part of form.getAll("files")) {
    if (part instanceof File) bag.add(part.name, await part.bytes());
  }
  const files = bag.files;
  // a browser's folder upload names files "<folder>/<path>": the folder itself is not part of the app
  const top = files[0]?.path.split("/")[0];
  const nested = top !== undefined && files.every((file) => file.path.startsWith(`${top}/`));
  return {
    files: nested ? files.map((file) => ({ path: file.path.slice(top.length + 1), data: file.data })) : files,
    env: typeof env === "string" ? env : c.req.query("env"),
  };
}

/** Builds the API (the plugin's `routes`, mounted at its base). */
export function createDeploymentsApi(store: AppStore, options: DeploymentsApiOptions): Hono<Env> {
  const { services, logger, limits } = options;
  const api = new Hono<Env>();
  api.onError((error) => {
    // a caller who is not signed in is told where to sign in (the page links there and back)
    if (isBuntimeError(error, "BUNTIME_ERR_AUTH_REQUIRED"))
      return authRequired(String(error.params.path), signInPath(services));
    if (error instanceof BuntimeError) return error.getResponse();
    logger.error("unexpected deployments failure", { cause: error });
    return new BuntimeError("BUNTIME_ERR_INTERNAL", {}, { cause: error }).getResponse();
  });
  api.use("/api/*", async (c, next) => {
    requireAdmin(c, services);
    await next();
  });

  api.get("/api/hosts", describe.hosts, async (c) => c.json(await options.hosts.read()));
  api.put("/api/hosts", describe.setHosts, async (c) => {
    const by = requireAdmin(c, services);
    const hosts = await options.hosts.replace(await c.req.json().catch(() => undefined));
    logger.info(`${by} set the virtual hosts`, { hosts });
    return c.json(hosts);
  });
  api.get("/api/apps", describe.apps, async (c) => c.json({ apps: await store.list() }));
  api.get("/api/apps/:name", describe.app, async (c) => c.json(await store.get(c.req.param("name"))));
  api.post("/api/apps", describe.deploy, async (c) => {
    const by = requireAdmin(c, services);
    const { files, env } = await uploadOf(c, limits);
    const activate = c.req.query("activate") !== "false";
    const deployed = await store.deploy(files, { by, env: envOf(env), activate });
    logger.info(
      `${by} deployed ${deployed.name}@${deployed.version}${activate ? " (active)" : ""}`,
      deployed,
    );
    return c.json({ ...deployed, active: activate }, 201);
  });
  api.post(
    "/api/apps/:name/activate",
    describe.activate,
    validate(
      "json",
      z.object({ version: z.string() }),
      () =>
        new BuntimeError("BUNTIME_ERR_DEPLOY_UPLOAD_INVALID", { details: 'expected {"version":"1.2.3"}' }),
    ),
    async (c) => {
      const by = requireAdmin(c, services);
      const { version } = c.req.valid("json");
      await store.activate(c.req.param("name"), version, by);
      logger.info(`${by} activated ${c.req.param("name")}@${version}`);
      return c.json(await store.get(c.req.param("name")));
    },
  );
  api.post("/api/apps/:name/rollback", describe.rollback, async (c) => {
    const by = requireAdmin(c, services);
    const version = await store.rollback(c.req.param("name"), by);
    logger.info(`${by} rolled ${c.req.param("name")} back to ${version}`);
    return c.json(await store.get(c.req.param("name")));
  });
  api.delete("/api/apps/:name/versions/:version", describe.removeVersion, async (c) => {
    const by = requireAdmin(c, services);
    await store.removeVersion(c.req.param("name"), c.req.param("version"), by);
    return c.json(await store.get(c.req.param("name")));
  });
  api.delete("/api/apps/:name", describe.removeApp, async (c) => {
    const by = requireAdmin(c, services);
    await store.removeApp(c.req.param("name"));
    logger.info(`${by} removed app ${c.req.param("name")}`);
    return c.body(null, 204);
  });
  return api;
}
