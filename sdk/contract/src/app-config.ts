/**
 * Apps as folders: the per-app config schema (`package.json#buntime` or `buntime.json`) and
 * the loader that turns an app folder into the `AppSpec` the worker pool runs. Durations are
 * milliseconds or strings such as `"30s"`; sizes are bytes or strings such as `"10mb"`.
 */
import { readFile, stat } from "node:fs/promises";
import { basename, isAbsolute, join, resolve } from "node:path";
import { z } from "zod";
import { BuntimeError } from "./errors.ts";
import { schemaReferenceSchema } from "./json-schema.ts";
import type { AppSpec } from "./pool.ts";
import { formatZodIssues } from "./zod-issues.ts";

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

function measured(units: Record<string, number>, example: string, unit: string) {
  const message = `expected ${unit} (a whole number, 0 or more) or a string such as "${example}"`;
  const pattern = new RegExp(`^(\\d+(?:\\.\\d+)?)\\s*(${Object.keys(units).join("|")})$`, "i");
  const text = z
    .string()
    .regex(pattern, { message })
    .transform((value) => {
      const [, amount, suffix] = pattern.exec(value) as RegExpExecArray;
      return Math.round(Number(amount) * (units[(suffix as string).toLowerCase()] as number));
    });
  const number = z.number({ message }).int({ message }).nonnegative({ message });
  return z.union([number, text], { message });
}

/** A duration: milliseconds, or a string with a unit (`500ms`, `30s`, `5m`, `1h`). */
export const durationSchema = measured(DURATION_UNITS, "30s", "milliseconds");
/** A size: bytes, or a string with a unit (`512kb`, `10mb`, `1gb`). */
export const sizeSchema = measured(SIZE_UNITS, "10mb", "bytes");

/** Who may reach an app: anyone, signed-in users, or only other apps and plugins. */
export const visibilitySchema = z.enum(["public", "protected", "internal"], {
  message: 'expected "public", "protected" or "internal"',
});

const ORIGIN = /^https?:\/\/[a-z0-9.-]+(:\d{1,5})?$|^https?:\/\/\[[0-9a-f:]+\](:\d{1,5})?$/i;
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

/**
 * Cross-origin access to an app (on Hono's `cors` middleware): which origins, methods and
 * headers, whether credentials (cookies) may be sent, and how long a preflight may be cached.
 *
 * @example
 * { "origins": ["https://shop.example.com"], "credentials": true, "headers": ["content-type"] }
 */
export const corsSchema = z
  .object({
    /** Origins allowed, such as `https://shop.example.com`, or `"*"` for any (never with credentials). */
    origins: z.union([
      z.literal("*"),
      z.array(z.string().regex(ORIGIN, { message: 'expected an origin such as "https://shop.example.com"' })),
    ]),
    /** @default ["GET","HEAD","PUT","POST","DELETE","PATCH"] */
    methods: z
      .array(z.string().regex(/^[A-Z]+$/, { message: 'expected a method such as "POST"' }))
      .default(["GET", "HEAD", "PUT", "POST", "DELETE", "PATCH"]),
    /** Request headers a page may send besides the simple ones. @default [] */
    headers: z.array(z.string().regex(HEADER_NAME, { message: "expected a header name" })).default([]),
    /** Response headers a page may read besides the simple ones. @default [] */
    exposeHeaders: z.array(z.string().regex(HEADER_NAME, { message: "expected a header name" })).default([]),
    /** Let pages send cookies and read the answer. @default false */
    credentials: z.boolean().default(false),
    /** How long a browser may cache a preflight. @default "10m" */
    maxAge: durationSchema.default(600_000),
  })
  .strict()
  .refine((cors) => !(cors.credentials && cors.origins === "*"), {
    message: 'credentials need the origins listed: "*" with credentials would let every site act as the user',
    path: ["credentials"],
  });

/**
 * The per-app config, in `package.json#buntime` or `buntime.json`.
 *
 * @example
 * { "ttl": 0, "timeout": "5s", "maxBodySize": "1mb", "env": { "GREETING": "hi" } }
 */
export const appConfigSchema = z
  .object({
    $schema: schemaReferenceSchema,
    /** Sliding lifetime of a persistent worker; `0` makes the app ephemeral. @default "5m" */
    ttl: durationSchema.optional(),
    /** A persistent worker with nothing in flight this long is retired. @default "1m" */
    idleTimeout: durationSchema.optional(),
    /** Recycle a persistent worker after this many requests; `0` never. @default 0 */
    maxRequests: z.number({ message: "expected a whole number" }).int().nonnegative().optional(),
    /** Time a request may take before it gets 504. @default "30s" */
    timeout: durationSchema.optional(),
    /** Largest accepted request body; larger gets 413. @default "16mb" */
    maxBodySize: sizeSchema.optional(),
    /** Memory (JS heap plus ArrayBuffers) past which a worker is recycled. @default "256mb" */
    maxMemory: sizeSchema.optional(),
    /** Ephemeral apps: requests served at once. @default 4 */
    concurrency: z.number({ message: "expected a whole number" }).int().positive().optional(),
    /** Ephemeral apps: requests that may wait before 503. @default 64 */
    maxQueue: z.number({ message: "expected a whole number" }).int().nonnegative().optional(),
    /** Ephemeral apps: fresh workers kept loaded on standby. @default 2 */
    standby: z.number({ message: "expected a whole number" }).int().nonnegative().max(16).optional(),
    /**
     * Ephemeral apps: the unit of freshness. `worker`: a fresh worker per request; `context`: standby
     * threads that evaluate the app in a new `node:vm` context per request. @default "worker"
     */
    ephemeral: z.enum(["worker", "context"], { message: 'expected "worker" or "context"' }).optional(),
    /** The only environment variables the app's workers see. @default {} */
    env: z
      .record(
        z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { message: "expected a variable name like API_URL" }),
        z.string({ message: "expected a string value" }),
      )
      .default({}),
    /** Where the app runs: `thread` (a worker, trusted code) or `process` (a sandbox, untrusted code). Left out, the kernel's default. */
    isolation: z.enum(["thread", "process"], { message: 'expected "thread" or "process"' }).optional(),
    /** What a `process`-tier app may reach: `network` lists the hosts its requests may go to. */
    permissions: z
      .object({
        network: z
          // the shape only: the egress proxy parses each rule at spawn and names a bad one
          .array(
            z.string().regex(/^[^\s/]+$/, {
              message: 'expected a host such as "api.example.com", "*.example.com" or "example.com:8443"',
            }),
          )
          .default([]),
      })
      .strict()
      .default({ network: [] }),
    /** Cross-origin requests the app accepts from browsers (preflights answered for it). Left out, none. */
    cors: corsSchema.optional(),
    /**
     * Give the app the client's address in `x-forwarded-for` (a copy the client sent is always
     * dropped). Off unless asked for: Bun reads the address with a system call per request.
     * @default false
     */
    clientAddress: z.boolean({ message: "expected true or false" }).default(false),
    /** @default "public" */
    visibility: visibilitySchema.default("public"),
    /** Paths of a `protected` app reachable without signing in, e.g. `/health` or `/public/*`. @default [] */
    publicRoutes: z
      .array(z.string().startsWith("/", { message: 'expected a path starting with "/"' }))
      .default([]),
    /**
     * Folder inside the app whose files are served as they are; nothing outside it ever is.
     * Left out, the router uses `public`. @default "public"
     */
    publicDir: z
      .string()
      .refine(
        (value) => value.split("/").every((segment) => /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/.test(segment)),
        {
          message:
            'expected a folder inside the app such as "public" or "dist/client" (no "..", "." or leading "/")',
        },
      )
      .optional(),
  })
  .strict();

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The `buntime.app` field of an app package's package.json: what the app needs to run. It is
 * the per-app config, plus `entry` (the module to run, inside the package) and `env` as the
 * names of the variables the app needs: their values are given when it is deployed (they are
 * not part of the published package), in the version folder's `.env.json`.
 *
 * @example
 * { "buntime": { "app": { "entry": "src/index.ts", "ttl": "5m", "env": ["API_URL"], "visibility": "protected" } } }
 */
export const appManifestSchema = appConfigSchema
  .omit({ env: true })
  .extend({
    /** The module to run, relative to the package, e.g. `src/index.ts`. Left out, `main`, else `index.ts`. */
    entry: z
      .string()
      .refine((value) => !isAbsolute(value) && !value.split(/[\\/]/).includes(".."), {
        message: 'expected a path inside the package such as "src/index.ts"',
      })
      .optional(),
    /** The environment variables the app needs; values are given at deploy. @default [] */
    env: z
      .array(z.string().regex(ENV_NAME, { message: "expected a variable name like API_URL" }))
      .default([]),
  })
  .strict();

/** The `buntime.app` manifest as written. */
export type AppManifestInput = z.input<typeof appManifestSchema>;
/** The `buntime.app` manifest with units converted and defaults applied. */
export type AppManifest = z.output<typeof appManifestSchema>;

/** The file in a deployed version's folder that holds the values of the manifest's `env` names. */
export const APP_ENV_FILE = ".env.json";

/**
 * Validates the `buntime.app` manifest of an app package's package.json.
 *
 * @throws BuntimeError `BUNTIME_ERR_POOL_APP_CONFIG_INVALID` naming the app, the field and what was expected.
 */
export function parseAppManifest(raw: unknown, app: string): AppManifest {
  const parsed = appManifestSchema.safeParse(raw, { error: readableIssue });
  if (!parsed.success) {
    throw new BuntimeError("BUNTIME_ERR_POOL_APP_CONFIG_INVALID", {
      app,
      details: formatZodIssues(parsed.error, "package.json#buntime.app"),
    });
  }
  return parsed.data;
}

/** A host name as a virtual host matches it: exact (`shop.example.com`) or one wildcard level up (`*.example.com`). */
const HOST_PATTERN = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;
/** What a virtual host serves: an app name, optionally with a version or range (`shop`, `shop@^2`). */
const HOST_TARGET = /^[a-z0-9][a-z0-9._~-]*(@[^\s/]+)?$/i;

/**
 * Virtual hosts: a request whose `Host` is a key (exact, else the longest `*.` wildcard that
 * matches) reaches the app the value names, served at `/`. Kept in `<apps>/.hosts.json`.
 *
 * @example
 * { "shop.example.com": "shop", "*.tenants.example.com": "portal@^2" }
 */
export const virtualHostsSchema = z.record(
  z.string().toLowerCase().regex(HOST_PATTERN, {
    message: 'expected a host name such as "shop.example.com" or "*.example.com" (no port, no scheme)',
  }),
  z.string().regex(HOST_TARGET, { message: 'expected an app such as "shop" or "shop@^2"' }),
);

/** Virtual hosts as validated. */
export type VirtualHosts = z.output<typeof virtualHostsSchema>;

/** The file in the apps folder that holds the virtual hosts (written by the deployments plugin). */
export const VIRTUAL_HOSTS_FILE = ".hosts.json";

/** The per-app config as written. */
export type AppConfigInput = z.input<typeof appConfigSchema>;
/** The per-app config with units converted (ms, bytes) and defaults applied. */
export type ResolvedAppConfig = z.output<typeof appConfigSchema>;

/** An app folder turned into what the pool runs plus what the router needs. */
export interface ResolvedApp extends AppSpec {
  /** The app's folder. */
  readonly dir: string;
  readonly env: Readonly<Record<string, string>>;
  readonly visibility: ResolvedAppConfig["visibility"];
  readonly publicRoutes: readonly string[];
}

const KNOWN_FIELDS = Object.keys(appConfigSchema.shape).join(", ");

/** Words for the zod issues whose default messages name neither the field nor the expectation. */
function readableIssue(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code === "invalid_key") return "expected an environment variable name such as API_URL";
  if (issue.code === "unrecognized_keys") {
    return `unknown field ${issue.keys.map((key) => `"${key}"`).join(", ")} (known: ${KNOWN_FIELDS})`;
  }
  return undefined;
}

async function readJson(path: string, app: string): Promise<Record<string, unknown> | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch {
    return undefined;
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
      throw new Error("not an object");
    return parsed as Record<string, unknown>;
  } catch (error) {
    throw new BuntimeError(
      "BUNTIME_ERR_POOL_APP_CONFIG_INVALID",
      { app, details: `${basename(path)} is not a JSON object` },
      { cause: error },
    );
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/**
 * Reads and validates an app folder's config: `buntime.json` when present, else the
 * `buntime` field of `package.json`, else defaults.
 *
 * @throws BuntimeError `BUNTIME_ERR_POOL_APP_CONFIG_INVALID` naming the app, the field and what was expected.
 */
export async function loadAppConfig(dir: string, app = basename(dir)): Promise<ResolvedAppConfig> {
  const fromFile = await readJson(join(dir, "buntime.json"), app);
  const pkg = fromFile === undefined ? await readJson(join(dir, "package.json"), app) : undefined;
  const packaged = (pkg?.buntime as { app?: unknown } | undefined)?.app;
  if (packaged !== undefined) return configOfPackage(dir, app, packaged);
  const [raw, source] =
    fromFile !== undefined ? [fromFile, "buntime.json"] : [pkg?.buntime ?? {}, "package.json#buntime"];
  const parsed = appConfigSchema.safeParse(raw, { error: readableIssue });
  if (!parsed.success) {
    throw new BuntimeError("BUNTIME_ERR_POOL_APP_CONFIG_INVALID", {
      app,
      details: formatZodIssues(parsed.error, source),
    });
  }
  return parsed.data;
}

/** The config of an app package: its `buntime.app` manifest, with the `env` values given at deploy. */
async function configOfPackage(dir: string, app: string, raw: unknown): Promise<ResolvedAppConfig> {
  const { entry: _entry, env: names, ...config } = parseAppManifest(raw, app);
  const given = (await readJson(join(dir, APP_ENV_FILE), app)) ?? {};
  const env: Record<string, string> = {};
  for (const name of names) {
    const value = given[name];
    if (typeof value !== "string") {
      throw new BuntimeError("BUNTIME_ERR_POOL_APP_CONFIG_INVALID", {
        app,
        details: `env: ${name} is declared in package.json#buntime.app but has no value in ${APP_ENV_FILE} (give it when deploying)`,
      });
    }
    env[name] = value;
  }
  return { ...config, env };
}

/**
 * Turns an app folder into the spec the pool runs: name and version (from the arguments,
 * else `package.json`, else the folder name and `0.0.0`), the entry (`buntime.app.entry`, else `package.json#main`,
 * else `index.ts`, else `index.js`) and the validated config.
 *
 * @example
 * const app = await resolveApp("/srv/buntime/apps/todo");
 * const response = await pool.fetch(app, request);
 */
export async function resolveApp(
  dir: string,
  names: { name?: string; version?: string } = {},
): Promise<ResolvedApp> {
  const root = resolve(dir);
  const fallback = names.name ?? basename(root);
  const pkg = await readJson(join(root, "package.json"), fallback);
  const name = names.name ?? (typeof pkg?.name === "string" ? pkg.name : basename(root));
  const version = names.version ?? (typeof pkg?.version === "string" ? pkg.version : "0.0.0");
  const app = `${name}@${version}`;
  const config = await loadAppConfig(root, app);
  const manifestEntry = (pkg?.buntime as { app?: { entry?: unknown } } | undefined)?.app?.entry;
  const candidates =
    typeof manifestEntry === "string"
      ? [manifestEntry]
      : typeof pkg?.main === "string"
        ? [pkg.main]
        : ["index.ts", "index.js"];
  let entry: string | undefined;
  for (const candidate of candidates) {
    const path = isAbsolute(candidate) ? candidate : join(root, candidate);
    if (await isFile(path)) {
      entry = path;
      break;
    }
  }
  if (entry === undefined) {
    throw new BuntimeError("BUNTIME_ERR_POOL_APP_ENTRY_MISSING", {
      app,
      details: `looked for ${candidates.join(", ")} in ${root}`,
    });
  }
  return { ...config, name, version, entry, dir: root };
}
