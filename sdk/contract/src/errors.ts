/**
 * The one registry of Buntime error codes. Every failure the kernel, the registry or the
 * CLI reports carries a `BUNTIME_ERR_<AREA>_<PROBLEM>` code from this table, a message
 * built from its template and, where it reaches HTTP, a status.
 */

import { CLI_ERROR_CODES } from "./errors-cli.ts";
import { CLUSTER_ERROR_CODES } from "./errors-cluster.ts";
import { DATA_ERROR_CODES } from "./errors-data.ts";
import { DISTRO_ERROR_CODES } from "./errors-distro.ts";
import { MARKETPLACE_ERROR_CODES } from "./errors-marketplace.ts";
import { OBSERVE_ERROR_CODES } from "./errors-observe.ts";
import { POOL_ERROR_CODES } from "./errors-pool.ts";
import { REGISTRY_NET_ERROR_CODES } from "./errors-registry-net.ts";
import { REGISTRY_STORE_ERROR_CODES } from "./errors-registry-store.ts";
import { SCHEDULE_ERROR_CODES } from "./errors-schedule.ts";

/** What an error code stands for: its HTTP status and message template. */
export interface ErrorSpec {
  readonly status: number;
  /** Message template; `{name}` placeholders are filled from the error's params. */
  readonly message: string;
}

/** Every error code Buntime raises, with its HTTP status and message template. */
export const ERROR_CODES = {
  BUNTIME_ERR_MANIFEST_INVALID: { status: 400, message: "{source}: invalid plugin manifest: {details}" },
  BUNTIME_ERR_CONFIG_INVALID: { status: 400, message: "{source}: invalid configuration: {details}" },
  BUNTIME_ERR_CONFIG_PLUGIN_DIR_MISSING: {
    status: 400,
    message: "plugin folder {dir} does not exist (from --plugins, BUNTIME_PLUGIN_DIRS or pluginDirs)",
  },
  BUNTIME_ERR_PLUGIN_UNKNOWN_HOOK: {
    status: 500,
    message: "{plugin}: unknown key '{hook}' in {where} (known: {known})",
  },
  BUNTIME_ERR_PLUGIN_ENTRY_INVALID: { status: 500, message: "{plugin}: {details}" },
  BUNTIME_ERR_PLUGIN_KERNEL_INCOMPATIBLE: {
    status: 409,
    message: "{plugin} requires kernel {range}, this kernel is {kernel}",
  },
  BUNTIME_ERR_PLUGIN_DEPENDENCY_MISSING: { status: 409, message: "{chain} : not installed" },
  BUNTIME_ERR_PLUGIN_DEPENDENCY_INCOMPATIBLE: {
    status: 409,
    message: "{chain} : installed {installed} does not satisfy",
  },
  BUNTIME_ERR_PLUGIN_DEPENDENCY_CYCLE: { status: 409, message: "dependency cycle: {chain}" },
  BUNTIME_ERR_PLUGIN_DUPLICATE: { status: 409, message: "{plugin} is already loaded" },
  BUNTIME_ERR_PLUGIN_NOT_LOADED: { status: 404, message: "{plugin} is not loaded" },
  BUNTIME_ERR_PLUGIN_IN_USE: { status: 409, message: "{plugin} is needed by {dependents}" },
  BUNTIME_ERR_PLUGIN_START_FAILED: { status: 500, message: "{plugin} failed to start: {reason}" },
  BUNTIME_ERR_HOOK_FAILED: { status: 500, message: "{plugin} {hook} failed" },
  BUNTIME_ERR_HOOK_TIMEOUT: { status: 500, message: "{plugin} {hook} timed out after {ms} ms" },
  BUNTIME_ERR_SERVICE_NOT_DECLARED: {
    status: 500,
    message: "{plugin} asked for service '{service}' but does not declare it in consumes",
  },
  BUNTIME_ERR_SERVICE_NOT_PROVIDED: {
    status: 500,
    message: "{plugin} asked for service '{service}' but no loaded plugin provides it",
  },
  BUNTIME_ERR_SERVICE_NOT_OWNED: {
    status: 500,
    message: "{plugin} provides service '{service}' but does not declare it in provides",
  },
  BUNTIME_ERR_PLUGIN_BASE_TAKEN: {
    status: 409,
    message: "{plugin} cannot mount at {base}: {owner} already has it",
  },
  BUNTIME_ERR_SERVICE_TAKEN: {
    status: 409,
    message: "{plugin} cannot provide service '{service}': {owner} already provides it",
  },
  BUNTIME_ERR_PLUGIN_ISOLATED: { status: 409, message: "{plugin} cannot run isolated: {details}" },
  BUNTIME_ERR_PLUGIN_UNTRUSTED: {
    status: 403,
    message: '{plugin} is refused: it is {reason}, and pluginPolicy.untrusted is "refuse"',
  },
  BUNTIME_ERR_CSRF_REJECTED: {
    status: 403,
    message: "cross-site {method} to {path} refused (origin {origin})",
  },
  BUNTIME_ERR_UNAUTHORIZED: { status: 401, message: "{action} needs the admin token" },
  BUNTIME_ERR_BAD_REQUEST: { status: 400, message: "{details}" },
  BUNTIME_ERR_PATH_INVALID: { status: 400, message: "request path refused: it has {reason}" },
  BUNTIME_ERR_BODY_TOO_LARGE: { status: 413, message: "{path} accepts request bodies up to {limit} bytes" },
  BUNTIME_ERR_NOT_FOUND: { status: 404, message: "no route for {path}" },
  BUNTIME_ERR_INTERNAL: { status: 500, message: "internal error" },
  BUNTIME_ERR_SHUTTING_DOWN: { status: 503, message: "the kernel is shutting down" },
  BUNTIME_ERR_REGISTRY_AUTH_REQUIRED: { status: 401, message: "{action} needs a registry token" },
  BUNTIME_ERR_REGISTRY_BAD_CREDENTIALS: { status: 401, message: "wrong username, password or token" },
  BUNTIME_ERR_REGISTRY_RATE_LIMITED: {
    status: 429,
    message: "too many failed sign-ins for {subject}; retry in {seconds} s",
  },
  BUNTIME_ERR_REGISTRY_FORBIDDEN: { status: 403, message: "{user} may not {action}" },
  BUNTIME_ERR_REGISTRY_TOKEN_SCOPE: {
    status: 403,
    message: "a '{scope}' token cannot be used for {action} (needs '{needed}')",
  },
  BUNTIME_ERR_REGISTRY_NOT_OWNER: { status: 403, message: "{user} is not an owner of {package}" },
  BUNTIME_ERR_REGISTRY_SCOPE_OWNED: {
    status: 403,
    message: "{user} may not publish {package}: the scope {scope} belongs to {owner}",
  },
  BUNTIME_ERR_REGISTRY_REGISTRATION_CLOSED: {
    status: 403,
    message: "this registry does not accept new users ({user})",
  },
  BUNTIME_ERR_REGISTRY_USER_INVALID: { status: 400, message: "invalid user: {details}" },
  BUNTIME_ERR_REGISTRY_PACKAGE_NOT_FOUND: { status: 404, message: "{package} is not in this registry" },
  BUNTIME_ERR_REGISTRY_VERSION_NOT_FOUND: {
    status: 404,
    message: "{package}@{version} is not in this registry",
  },
  BUNTIME_ERR_REGISTRY_TOKEN_NOT_FOUND: { status: 404, message: "no token {token} for {user}" },
  BUNTIME_ERR_REGISTRY_VERSION_EXISTS: {
    status: 409,
    message: "{package}@{version} was already published; versions are immutable",
  },
  BUNTIME_ERR_REGISTRY_TARBALL_TOO_LARGE: {
    status: 413,
    message: "{package}: the {what} is {size} bytes, over the {limit}-byte limit",
  },
  BUNTIME_ERR_REGISTRY_TARBALL_INVALID: { status: 400, message: "{package}: invalid tarball: {reason}" },
  BUNTIME_ERR_REGISTRY_INTEGRITY_MISMATCH: {
    status: 400,
    message: "{package}: declared {field} {declared} does not match the tarball ({actual})",
  },
  BUNTIME_ERR_REGISTRY_PACKAGE_MISMATCH: {
    status: 400,
    message: "the tarball's package.json is {found} but the request publishes {expected}",
  },
  BUNTIME_ERR_REGISTRY_PUBLISH_INVALID: { status: 400, message: "invalid publish request: {details}" },
  BUNTIME_ERR_REGISTRY_CHANGE_REFUSED: { status: 400, message: "{package}: {details}" },
  BUNTIME_ERR_REGISTRY_TAG_INVALID: { status: 400, message: "invalid dist-tag {tag}: {details}" },
  BUNTIME_ERR_REGISTRY_PRERELEASE_LATEST: {
    status: 400,
    message:
      "{package}: a prerelease does not become latest at publish; publish it with --tag <tag> (next, beta)",
  },
  BUNTIME_ERR_REGISTRY_SIGNATURE_INVALID: {
    status: 400,
    message: "{package}: publisher signature with key {keyid} does not verify",
  },
  BUNTIME_ERR_REGISTRY_KEY_INVALID: { status: 400, message: "invalid publisher key: {details}" },
  BUNTIME_ERR_REGISTRY_SEARCH_INVALID: { status: 400, message: "invalid search: {details}" },
  BUNTIME_ERR_REGISTRY_SIGNING_KEY_INVALID: {
    status: 500,
    message: "registry signing key {path}: {details}",
  },
  BUNTIME_ERR_REGISTRY_STORAGE_FAILED: { status: 500, message: "registry storage failed: {details}" },
  BUNTIME_ERR_REGISTRY_INTERNAL: { status: 500, message: "internal registry error: {details}" },
  ...POOL_ERROR_CODES,
  ...DATA_ERROR_CODES,
  ...CLUSTER_ERROR_CODES,
  ...SCHEDULE_ERROR_CODES,
  ...REGISTRY_NET_ERROR_CODES,
  ...REGISTRY_STORE_ERROR_CODES,
  ...DISTRO_ERROR_CODES,
  ...MARKETPLACE_ERROR_CODES,
  ...OBSERVE_ERROR_CODES,
  ...CLI_ERROR_CODES,
  BUNTIME_ERR_RATELIMIT_EXCEEDED: {
    status: 429,
    message: "rate limit {rule} exceeded; retry in {seconds} s",
  },
  BUNTIME_ERR_RATELIMIT_STORE_FAILED: { status: 503, message: "rate limit store {store} failed: {details}" },
  BUNTIME_ERR_TARBALL_INVALID: { status: 400, message: "{source}: not a valid tarball: {details}" },
  BUNTIME_ERR_TARBALL_UNSAFE_ENTRY: { status: 400, message: "{source}: refused entry {entry}: {reason}" },
  BUNTIME_ERR_PACK_FAILED: { status: 400, message: "{source}: cannot pack: {details}" },
  BUNTIME_ERR_PACK_DEPENDENCY_NOT_LENT: {
    status: 400,
    message:
      "{source}: {package} depends on {dependencies}, which the kernel does not lend ({lent}); list it under bundleDependencies (packed from node_modules) or bundle it into the plugin's code",
  },
  BUNTIME_ERR_SIGNATURE_INVALID: {
    status: 400,
    message: "{package}: {kind} signature does not verify ({details})",
  },
  BUNTIME_ERR_SIGNATURE_MISSING: {
    status: 400,
    message: "{package}: no {kind} signature, and the signature policy '{policy}' requires one",
  },
  BUNTIME_ERR_SIGNATURE_KEY_CHANGED: {
    status: 400,
    message: "registry {registry} now signs with key {keyid}, not the pinned {pinned}",
  },
  BUNTIME_ERR_SIGNATURE_KEY_INVALID: { status: 400, message: "invalid signing key {source}: {details}" },
  BUNTIME_ERR_CLIENT_UNREACHABLE: { status: 502, message: "registry {registry} is unreachable: {reason}" },
  BUNTIME_ERR_CLIENT_HTTP: {
    status: 502,
    message: "registry {registry} answered {status} to {action}: {details}",
  },
  BUNTIME_ERR_CLIENT_INTEGRITY_MISMATCH: {
    status: 400,
    message: "{package}: downloaded tarball is {actual}, expected {expected}",
  },
  BUNTIME_ERR_CLIENT_NOT_LOGGED_IN: { status: 401, message: "not logged in to {registry}" },
  BUNTIME_ERR_INSTALL_UNKNOWN_PLUGIN: { status: 404, message: "{package} is not in registry {registry}" },
  BUNTIME_ERR_INSTALL_NO_MATCHING_VERSION: {
    status: 404,
    message: "no version of {package} satisfies {range} (available: {available})",
  },
  BUNTIME_ERR_INSTALL_KERNEL_INCOMPATIBLE: {
    status: 409,
    message: "no version of {package} matching {range} supports kernel {kernel} ({details})",
  },
  BUNTIME_ERR_INSTALL_CONFLICT: { status: 409, message: "{package} is wanted as {first} and as {second}" },
  BUNTIME_ERR_INSTALL_NOT_INSTALLED: { status: 404, message: "{package} is not installed in {home}" },
  BUNTIME_ERR_INSTALL_AUTH_GUARDS_APPS: {
    status: 409,
    message:
      "{plugin} guards the protected apps {apps}: without an auth plugin they answer 503; remove it with --force to do so anyway",
  },
  BUNTIME_ERR_INSTALL_NO_PREVIOUS: {
    status: 409,
    message: "{package} has no previous version to roll back to",
  },
  BUNTIME_ERR_INSTALL_PERMISSION_DENIED: { status: 403, message: "cannot write {path}: permission denied" },
  BUNTIME_ERR_INSTALL_KERNEL_REFUSED: {
    status: 409,
    message: "the running kernel at {url} refused {package}: {details}",
  },
  BUNTIME_ERR_INSTALL_DEPENDENCY_MISSING: {
    status: 409,
    message:
      "{package} depends on {dependencies}, which the kernel does not lend and {home} cannot resolve: it would fail at load, so it is not installed (the plugin must bundle them)",
  },
  BUNTIME_ERR_CLI_USAGE: { status: 400, message: "{details}" },
  BUNTIME_ERR_AUTH_REQUIRED: { status: 401, message: "{path} needs a signed-in user or a token" },
  BUNTIME_ERR_AUTH_FORBIDDEN: { status: 403, message: "{user} may not {action} (needs role {role})" },
  BUNTIME_ERR_AUTH_BAD_CREDENTIALS: { status: 401, message: "wrong username or password" },
  BUNTIME_ERR_AUTH_TOKEN_INVALID: { status: 401, message: "invalid bearer token: {reason}" },
  BUNTIME_ERR_AUTH_RATE_LIMITED: {
    status: 429,
    message: "too many failed sign-ins for {subject}; retry in {seconds} s",
  },
  BUNTIME_ERR_AUTH_BUSY: {
    status: 503,
    message: "too many sign-ins at once ({waiting} waiting); retry shortly",
  },
  BUNTIME_ERR_AUTH_SETUP_REFUSED: { status: 403, message: "setup refused: {reason}" },
  BUNTIME_ERR_AUTH_REQUEST_INVALID: { status: 400, message: "invalid auth request: {details}" },
  BUNTIME_ERR_AUTH_USER_EXISTS: { status: 409, message: "user {user} already exists" },
  BUNTIME_ERR_AUTH_NOT_FOUND: { status: 404, message: "no {what} {id}" },
  BUNTIME_ERR_AUTH_OIDC_FAILED: { status: 502, message: "sign-in with {issuer} failed: {details}" },
  BUNTIME_ERR_AUTH_APP_INTERNAL: {
    status: 403,
    message: "app {app} is internal: only other apps and plugins may call it",
  },
  BUNTIME_ERR_APP_AUTH_MISSING: {
    status: 503,
    message: "app {app} is {visibility}, but {plugin} is not loaded: it refuses requests until it is",
  },
  BUNTIME_ERR_AUTHZ_DENIED: { status: 403, message: "{action}: {reason}" },
  BUNTIME_ERR_AUTHZ_POLICY_INVALID: { status: 400, message: "invalid policy: {field}: {details}" },
  BUNTIME_ERR_AUTHZ_NOT_FOUND: { status: 404, message: "no policy {id}" },
  BUNTIME_ERR_PROXY_UPSTREAM_UNREACHABLE: {
    status: 502,
    message: "proxy rule {rule}: upstream {upstream} is unreachable ({reason})",
  },
  BUNTIME_ERR_PROXY_UPSTREAM_TIMEOUT: {
    status: 504,
    message: "proxy rule {rule}: upstream {upstream} did not answer within {ms} ms",
  },
  BUNTIME_ERR_PROXY_RULE_INVALID: { status: 400, message: "invalid proxy rule: {details}" },
  BUNTIME_ERR_PROXY_RULE_NOT_FOUND: { status: 404, message: "no proxy rule {rule}" },
  BUNTIME_ERR_PROXY_RULE_READONLY: {
    status: 409,
    message: "proxy rule {rule} comes from the plugin settings; change it there",
  },
  BUNTIME_ERR_PROXY_RULES_BUSY: {
    status: 409,
    message: "the proxy rules changed {attempts} times on other nodes while this change was saved; try again",
  },
  BUNTIME_ERR_PROXY_WEBSOCKET_UNAVAILABLE: {
    status: 501,
    message:
      "proxy rule {rule} takes WebSockets, but this kernel does not listen (requests made in process cannot be upgraded)",
  },
  BUNTIME_ERR_PROXY_API_LOCKED: {
    status: 403,
    message: "the proxy rules API needs an admin: {details}",
  },
  BUNTIME_ERR_LOGS_QUERY_INVALID: { status: 400, message: "invalid log query: {details}" },
  BUNTIME_ERR_LOGS_TAIL_LIMIT: {
    status: 503,
    message: "{limit} live log tails are open already; retry later",
  },
  BUNTIME_ERR_LOGS_PEER_UNAUTHORIZED: {
    status: 401,
    message: "a node's lines are for the cluster's other nodes: send Authorization: Bearer <cluster.token>",
  },
  BUNTIME_ERR_SHELL_LOOPBACK_ONLY: {
    status: 403,
    message: "the shell refuses {address}: without the auth plugin it answers loopback only",
  },
  BUNTIME_ERR_SHELL_EVENTS_LIMIT: {
    status: 503,
    message: "{limit} shell event streams are open already; retry later",
  },
  BUNTIME_ERR_MARKETPLACE_LOOPBACK_ONLY: {
    status: 403,
    message: "the marketplace refuses {address}: without the auth plugin it answers loopback only",
  },
  BUNTIME_ERR_MARKETPLACE_ADMIN_ONLY: { status: 403, message: "{user} may not {action}: only an admin may" },
  BUNTIME_ERR_MARKETPLACE_CONSENT_REQUIRED: {
    status: 409,
    message: "{package} asks for more than it has now ({details}); accept its permissions to go on",
  },
  BUNTIME_ERR_MARKETPLACE_BUSY: {
    status: 409,
    message: "the marketplace is applying {job} already; wait for it",
  },
  BUNTIME_ERR_MARKETPLACE_NO_CLI: {
    status: 503,
    message: "the marketplace found no buntime CLI to act with ({details}); set its cli setting",
  },
  BUNTIME_ERR_MARKETPLACE_JOB_NOT_FOUND: { status: 404, message: "no marketplace job {job}" },
  BUNTIME_ERR_INSTALL_BUSY: {
    status: 409,
    message: "another buntime command (pid {pid}) is changing {home}",
  },
  BUNTIME_ERR_DISTRO_NOT_FOUND: { status: 404, message: "{what} {path} does not exist" },
  BUNTIME_ERR_DISTRO_EXISTS: { status: 409, message: "{path} exists already: {details}" },
  BUNTIME_ERR_DISTRO_UNSATISFIABLE: { status: 409, message: "no lock satisfies {manifest}:\n{table}" },
  BUNTIME_ERR_DISTRO_PUBLISHER_NOT_ALLOWED: {
    status: 403,
    message: "{package} is signed by {publisher}; the distribution allows only {allowed}",
  },
  BUNTIME_ERR_DISTRO_LOCK_STALE: {
    status: 409,
    message: "{lock} does not lock {manifest} ({details}); run buntime distro lock",
  },
  BUNTIME_ERR_DISTRO_TAMPERED: { status: 500, message: "{package}: {file} {details}; refusing to start" },
  BUNTIME_ERR_DISTRO_INVALID: { status: 400, message: "{dir} is not a built distribution: {details}" },
} as const satisfies Record<string, ErrorSpec>;

/** A Buntime error code, e.g. `BUNTIME_ERR_MANIFEST_INVALID`. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** Values substituted into an error's message template. */
export type ErrorParams = Record<string, string | number>;

function render(template: string, params: ErrorParams): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) =>
    key in params ? String(params[key]) : whole,
  );
}

/**
 * An error with a registered code and an HTTP status.
 *
 * @example
 * throw new BuntimeError("BUNTIME_ERR_PLUGIN_NOT_LOADED", { plugin: "auth" });
 */
export class BuntimeError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly params: ErrorParams;
  /** The plugin whose code raised or caused this error, stamped by the kernel. */
  plugin?: string;

  constructor(code: ErrorCode, params: ErrorParams = {}, options?: { cause?: unknown }) {
    super(render(ERROR_CODES[code].message, params), options);
    this.name = "BuntimeError";
    this.code = code;
    this.status = ERROR_CODES[code].status;
    this.params = params;
  }

  /** The JSON body APIs answer with: `{ error: { code, message } }`. */
  toJSON(): { error: { code: ErrorCode; message: string; plugin?: string } } {
    return { error: { code: this.code, message: this.message, plugin: this.plugin } };
  }

  /** This error as an HTTP response. */
  getResponse(headers?: HeadersInit): Response {
    return Response.json(this.toJSON(), { status: this.status, headers });
  }
}

/** True when `value` is a BuntimeError, optionally with the given code. */
export function isBuntimeError(value: unknown, code?: ErrorCode): value is BuntimeError {
  return value instanceof BuntimeError && (code === undefined || value.code === code);
}
