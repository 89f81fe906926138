import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  BuntimeError,
  type ClientInfo,
  hasIdentityHeaders,
  isBuntimeError,
  loadAppConfig,
  type MaybePromise,
  type PluginContext,
  type RequestContext,
  type ResolvedApp,
  type ResolvedAppConfig,
  resolveApp,
} from "@buntime/sdk";
import { AppCatalog, type InstalledApp } from "./app-catalog.ts";
import { type CorsServe, corsOf } from "./app-cors.ts";
import { dataEnv } from "./app-env.ts";
import { APP_TOKEN_HEADER, type AppTokens } from "./app-identity.ts";
import { type AppAddress, isAppAddress, parseAppPath } from "./app-path.ts";
import { isPreflight } from "./base-cors.ts";
import { type CredentialCheck, dropCredentials } from "./credentials.ts";
import { mayCarryDetails, withoutDetails } from "./failure-page.ts";
import { forwardingOf } from "./forward.ts";
import { DEFAULT_PUBLIC_DIR, serveStatic, staticRootOf } from "./static-files.ts";

/** The plugin that provides the `auth` service, named to whoever reaches a guarded app without it. */
const AUTH_PLUGIN = "@buntime/plugin-auth";

/** The header that carries the kernel's id of a request to the app (and its log lines back). */
const REQUEST_ID_HEADER = "x-request-id";

/** How one installed app is served: by a worker, from static files, or both. */
interface ServedApp {
  /** The worker side; undefined for a static-only app. */
  readonly spec: ResolvedApp | undefined;
  /** Real path of the only folder files are served from (`publicDir`, default `public/`). */
  readonly staticRoot: string | undefined;
  /** The app's cross-origin rules, when it has any. */
  readonly cors: CorsServe | undefined;
  /** The origins its `cors` rules name (`*` names none), which the router vouches for to the kernel. */
  readonly corsOrigins: readonly string[];
  /** Who may reach it (`buntime.json`'s `visibility`); only `public` is served without the auth plugin. */
  readonly visibility: ResolvedAppConfig["visibility"];
  /** Whether it gets the client's address in `x-forwarded-for` (`buntime.json`'s `clientAddress`). */
  readonly clientAddress: boolean;
}

export interface RouterOptions {
  readonly appsDir: string;
  /** App served at `/`. */
  readonly homepage: string | undefined;
  readonly tokens: AppTokens;
  /** Hears each path under the apps folder that changed (virtual hosts reload on theirs). */
  readonly changed?: (path: string | null) => void;
}

function isWebSocketUpgrade(request: Request): boolean {
  return request.method === "GET" && request.headers.get("upgrade")?.toLowerCase() === "websocket";
}

/** A WebSocket upgrade that carries `x-buntime-user` or `x-buntime-roles` of the client's own. */
function spoofedUpgrade(): Response {
  return new BuntimeError("BUNTIME_ERR_BAD_REQUEST", {
    details: "x-buntime-user and x-buntime-roles are set by the kernel, not sent by clients",
  }).getResponse();
}

function hasEntry(dir: string): boolean {
  if (existsSync(join(dir, "index.ts")) || existsSync(join(dir, "index.js"))) return true;
  try {
    return typeof JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).main === "string";
  } catch {
    return false;
  }
}

/** Routes `/:app/*` (and the homepage at `/`) to the app's worker or static files. */
export class Router {
  readonly #ctx: PluginContext;
  readonly #catalog: AppCatalog;
  /** Where `/` leads: the homepage app, read once rather than per request. */
  readonly #homepage: AppAddress | undefined;
  readonly #tokens: AppTokens;
  readonly #clients: ClientInfo | undefined;
  /** What the router strips on its own: app tokens and the kernel's admin token. */
  readonly #credentials: CredentialCheck;
  readonly #served = new Map<string, Promise<ServedApp>>();
  /** The same, once described: what the request path reads without awaiting. */
  readonly #ready = new Map<string, ServedApp>();
  #kernelUrl: string | undefined;

  constructor(ctx: PluginContext, options: RouterOptions) {
    this.#ctx = ctx;
    this.#homepage = options.homepage
      ? { name: options.homepage, range: undefined, base: "", rest: "/" }
      : undefined;
    this.#tokens = options.tokens;
    this.#clients = ctx.services.has("kernel:clients") ? ctx.services.get("kernel:clients") : undefined;
    const admin = ctx.services.has("kernel:admin") ? ctx.services.get("kernel:admin") : undefined;
    this.#credentials = {
      appTokenHeader: APP_TOKEN_HEADER,
      isAppToken: (bearer) => options.tokens.isAppToken(bearer),
      isKernelAdmin: (request) => admin?.isAdmin(request) ?? false,
    };
    this.#catalog = new AppCatalog(options.appsDir, ctx.logger, () => this.#forget());
    this.#catalog.watch(options.changed);
  }

  close(): void {
    this.#catalog.close();
  }

  /** Apps started from now on learn where the kernel listens (`BUNTIME_URL`). */
  setKernelUrl(url: URL): void {
    this.#kernelUrl = url.origin;
    this.#forget();
  }

  /** Drops what was learnt about apps, after the apps folder changed. */
  #forget(): void {
    this.#served.clear();
    this.#ready.clear();
  }

  /** The app `pathname` addresses: `/:app/*`, or the homepage at `/`; undefined for neither. */
  locate(pathname: string): AppAddress | undefined {
    return pathname === "/" ? this.#homepage : parseAppPath(pathname);
  }

  /**
   * True when the app `pathname` addresses names `origin` in its `cors` rules: the kernel then
   * lets that origin's cross-site writes reach it (a rule of `*` vouches for no one, since any
   * site could then write with the user's cookies).
   */
  async vouchesFor(origin: string, pathname: string): Promise<boolean> {
    const address = this.locate(pathname);
    if (!address || !isAppAddress(address)) return false;
    const installed = await this.#catalog.find(address.name, address.range);
    const served = installed && (await this.#describe(installed).catch(() => undefined));
    return served?.corsOrigins.includes(origin) ?? false;
  }

  /** The folders of every installed version of `name`, highest first. */
  async folders(name: string): Promise<readonly string[]> {
    return (await this.#catalog.versions(name)).map((app) => app.dir);
  }

  /**
   * Answers a request for the app in `locals.app` (as this router's `onRequest` located it), or
   * gives undefined when no app matches (the kernel answers 404). A known app that is already
   * described is served without awaiting anything first.
   */
  handle(request: Request, context: RequestContext): MaybePromise<Response | undefined> {
    const address = context.locals.app;
    if (!address || !isAppAddress(address)) return undefined;
    const installed = this.#catalog.known(address.name, address.range);
    const ready = installed && this.#ready.get(installed.dir);
    if (ready) return this.#serve(ready, address, request, context);
    return this.#handleSlowly(request, address, context);
  }

  /** A browser's preflight to an app with `cors` rules, answered by them (undefined otherwise). */
  async preflight(request: Request, context: RequestContext): Promise<Response | undefined> {
    const address = context.locals.app;
    if (!isPreflight(request) || !address || !isAppAddress(address)) return undefined;
    const installed = await this.#catalog.find(address.name, address.range);
    const served = installed && (await this.#describe(installed).catch(() => undefined));
    return served?.cors?.(request, () => undefined);
  }

  async #handleSlowly(
    request: Request,
    address: AppAddress,
    context: RequestContext,
  ): Promise<Response | undefined> {
    const installed = await this.#catalog.find(address.name, address.range);
    if (!installed) return undefined;
    let served: ServedApp;
    try {
      served = await this.#describe(installed);
    } catch (error) {
      if (!isBuntimeError(error)) throw error;
      this.#ctx.logger.error(error.message, { code: error.code, requestId: context.requestId });
      return this.#shown(error.getResponse(), request, context);
    }
    return this.#serve(served, address, request, context);
  }

  #serve(
    app: ServedApp,
    address: AppAddress,
    request: Request,
    context: RequestContext,
  ): MaybePromise<Response | undefined> {
    // The auth plugin guards non-public apps; without it (removed, or failed to load) nothing
    // would, so they refuse rather than open to everyone.
    if (app.visibility !== "public" && !this.#ctx.services.has("auth")) {
      return new BuntimeError("BUNTIME_ERR_APP_AUTH_MISSING", {
        app: address.name,
        visibility: app.visibility,
        plugin: AUTH_PLUGIN,
      }).getResponse();
    }
    if (app.cors) return app.cors(request, () => this.#serveApp(app, address, request, context));
    return this.#serveApp(app, address, request, context);
  }

  #serveApp(
    app: ServedApp,
    address: AppAddress,
    request: Request,
    context: RequestContext,
  ): MaybePromise<Response | undefined> {
    if (app.spec && !app.staticRoot) return this.#toWorker(app, app.spec, address, request, context); // the hot case
    return this.#serveWithFiles(app, address, request, context);
  }

  /**
   * Sends the request to the app's worker, telling it who is signed in (`locals.user`) and never
   * passing on the client's own copies of those headers, nor any credential: those plugins marked
   * in `locals.credentials`, app tokens, the kernel's admin token. `spec` is `app.spec`, known to be there.
   */
  #toWorker(
    app: ServedApp,
    spec: ResolvedApp,
    address: AppAddress,
    request: Request,
    context: RequestContext,
  ): Promise<Response> {
    const pool = this.#ctx.pool;
    const upgrade = pool.upgrade !== undefined && isWebSocketUpgrade(request);
    // A client sending its own user headers on an upgrade is refused outright, not corrected.
    if (upgrade && hasIdentityHeaders(request.headers)) return Promise.resolve(spoofedUpgrade());
    const user = context.locals.user;
    // only for an app that asked: Bun reads the client's address with a system call each time
    const client = app.clientAddress ? (this.#clients?.address(request) ?? "unknown") : null;
    const forwarding = forwardingOf(request, address, client, user);
    // with a user, the forwarding headers replace the client's copies; without, drop them
    const marks = context.locals.credentials;
    dropCredentials(request, forwarding.headers, marks, user !== undefined, this.#credentials);
    // the app's console lines and errors are logged under the kernel's id for this request
    forwarding.headers[REQUEST_ID_HEADER] = context.requestId;
    if (upgrade && pool.upgrade) return pool.upgrade(spec, request, forwarding);
    return pool.fetch(spec, request, forwarding).then((response) => this.#shown(response, request, context));
  }

  /** A failure's details (stack, parser message, paths) for admins; for anyone else, the request id to quote. */
  #shown(response: Response, request: Request, context: RequestContext): MaybePromise<Response> {
    if (!mayCarryDetails(response)) return response;
    const admin = context.locals.user?.roles.includes("admin") || this.#credentials.isKernelAdmin(request);
    return admin ? response : withoutDetails(response, context.locals.app?.name ?? "", context.requestId);
  }

  async #serveWithFiles(
    app: ServedApp,
    address: AppAddress,
    request: Request,
    context: RequestContext,
  ): Promise<Response | undefined> {
    const pathname = context.pathname;
    if (app.staticRoot) {
      // a static page at /todo needs /todo/ so that its relative links resolve under it
      if (address.rest === "/" && !pathname.endsWith("/") && !app.spec) {
        return Response.redirect(
          new URL(`${pathname}/${new URL(request.url).search}`, request.url).href,
          308,
        );
      }
      const file = await serveStatic(app.staticRoot, address.rest, request);
      if (file) return file;
    }
    if (app.spec) return this.#toWorker(app, app.spec, address, request, context);
    // a static single-page app answers its own client-side routes with index.html
    if (app.staticRoot && request.headers.get("accept")?.includes("text/html")) {
      return serveStatic(app.staticRoot, "/", request);
    }
    return undefined;
  }

  /** Adds what every app learns about itself: its name, its token, the kernel's URL, its database. */
  #withIdentity(app: ResolvedApp): ResolvedApp {
    const token = this.#tokens.issue(app.name);
    const identity: Record<string, string> = {
      BUNTIME_APP: app.name,
      BUNTIME_APP_TOKEN: token,
      ...dataEnv(this.#ctx.services, this.#kernelUrl, app.name, token),
    };
    if (this.#kernelUrl) identity.BUNTIME_URL = this.#kernelUrl;
    return { ...app, env: { ...app.env, ...identity } };
  }

  #describe(installed: InstalledApp): Promise<ServedApp> {
    let served = this.#served.get(installed.dir);
    if (!served) {
      served = this.#load(installed);
      this.#served.set(installed.dir, served);
      served.then(
        (ready) => {
          if (this.#served.get(installed.dir) === served) this.#ready.set(installed.dir, ready);
        },
        () => this.#served.delete(installed.dir),
      );
    }
    return served;
  }

  async #load({ name, version, dir }: InstalledApp): Promise<ServedApp> {
    const app = version ? `${name}@${version}` : name;
    const spec = hasEntry(dir) ? this.#withIdentity(await resolveApp(dir, { name, version })) : undefined;
    const config = await loadAppConfig(dir, app);
    const publicDir = config.publicDir ?? DEFAULT_PUBLIC_DIR;
    const staticRoot = await staticRootOf(dir, publicDir);
    // a static app from before the allowlist: say why it now answers 404 rather than its files
    if (!spec && !staticRoot && existsSync(join(dir, "index.html"))) {
      this.#ctx.logger.warn(
        `static app ${app} has no ${publicDir}/ folder: static apps serve only files under it; move index.html and its assets into ${publicDir}/ or set "publicDir" in buntime.json`,
        { app },
      );
    }
    const origins = config.cors?.origins;
    return {
      spec,
      staticRoot,
      cors: corsOf(config.cors),
      corsOrigins: Array.isArray(origins) ? origins : [],
      visibility: config.visibility,
      clientAddress: config.clientAddress,
    };
  }
}
