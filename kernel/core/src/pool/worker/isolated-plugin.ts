/**
 * Inside a pool worker: an isolated plugin (`mode: "isolated"` in its manifest) served as an
 * app. Its `setup` runs here, not in the kernel, with a context that reaches only what it
 * declared: its config, a console logger, its data folder, and the kernel services named in its
 * `consumes` (called across the boundary, see `service-client.ts`); any other service, and the
 * pool, refuse with an error naming what to declare. Only request handlers may run isolated
 * (`fetch`, `routes`, `onShutdown`); a pipeline hook would need the kernel's thread, so it is
 * refused at load with the hook's name.
 */
import type { PluginInit } from "../shared/protocol.ts";
import type { ServiceClient } from "./service-client.ts";

/** What the worker serves. */
export interface Served {
  fetch(request: Request): Response | Promise<Response>;
  /** The plugin's `onShutdown`. */
  close?(): unknown;
}

type Handler = (request: Request, context: unknown) => unknown;
interface Definition {
  config?: { parse(value: unknown): unknown };
  setup(ctx: unknown): unknown;
}

const ALLOWED = new Set(["fetch", "routes", "onShutdown"]);
/** The native class, taken before the worker wraps `Response` to track complete bodies. */
const NativeResponse = globalThis.Response;

function refuse(what: string): never {
  throw new Error(
    `BUNTIME_ERR_PLUGIN_ISOLATED: ${what} is not available to an isolated plugin: it runs in the pool, apart from the kernel; run it as a persistent plugin (mode "persistent") if it needs the kernel`,
  );
}

const notFound = () =>
  new Response(JSON.stringify({ error: { code: "BUNTIME_ERR_NOT_FOUND", message: "no handler answered" } }), {
    status: 404,
    headers: { "content-type": "application/json" },
  });

/** The request context a handler receives, rebuilt from what the kernel forwarded. */
function contextOf(request: Request) {
  const url = new URL(request.url);
  return {
    requestId: request.headers.get("x-request-id") ?? "",
    pathname: url.pathname,
    locals: {},
    clientAddress: () => request.headers.get("x-forwarded-for")?.split(",")[0]?.trim(),
  };
}

/** Runs the plugin's `setup` and returns what serves its requests. */
export async function serveIsolatedPlugin(
  module: unknown,
  init: PluginInit,
  client: ServiceClient,
): Promise<Served> {
  const definition = ((module as { default?: unknown }).default ?? module) as Partial<Definition>;
  if (typeof definition?.setup !== "function") {
    throw new Error(`${init.name}: an isolated plugin's entry must default-export definePlugin({ setup })`);
  }
  const config = definition.config ? definition.config.parse(init.config ?? {}) : init.config;
  const print =
    (level: "debug" | "info" | "warn" | "error") => (message: string, fields?: Record<string, unknown>) =>
      console[level](`[${init.name}] ${message}`, fields ?? "");
  const hooks = ((await definition.setup({
    name: init.name,
    version: init.version,
    base: init.base,
    config,
    dataDir: init.dataDir,
    kernel: { version: init.kernelVersion, appsDir: "" },
    logger: { debug: print("debug"), info: print("info"), warn: print("warn"), error: print("error") },
    services: {
      provide: (name: string) => refuse(`providing service ${name}`),
      get(name: string) {
        if (init.consumes.includes(name)) return client.service(name);
        throw new Error(
          `BUNTIME_ERR_PLUGIN_ISOLATED: ${init.name} did not declare service ${name}: add it to buntime.consumes in its package.json`,
        );
      },
      has: (name: string) => init.consumes.includes(name),
    },
    pool: {
      fetch: () => refuse("the worker pool"),
      stats: () => refuse("the worker pool"),
    },
  })) ?? {}) as Record<string, unknown>;
  for (const name of Object.keys(hooks)) {
    if (!ALLOWED.has(name) && hooks[name] !== undefined) refuse(`the ${name} hook`);
  }
  const fetch = hooks.fetch as Handler | undefined;
  const routes = hooks.routes as { fetch: Handler } | undefined;
  const onShutdown = hooks.onShutdown as (() => unknown) | undefined;
  return {
    close: onShutdown,
    async fetch(request) {
      const context = contextOf(request);
      const answer = await fetch?.(request, context);
      if (answer instanceof NativeResponse) return answer;
      const routed = await routes?.fetch(request, context);
      return routed instanceof NativeResponse ? routed : notFound();
    },
  };
}
