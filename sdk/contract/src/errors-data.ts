/**
 * The error codes of the data plugins apps use: storage (keyval) and database. Kept apart from
 * errors.ts (which spreads them into the one registry, `ERROR_CODES`) so each file stays small.
 */
import type { ErrorSpec } from "./errors.ts";

/** The storage and database plugins' codes, with their HTTP status and message template. */
export const DATA_ERROR_CODES = {
  BUNTIME_ERR_STORAGE_APP_UNAUTHORIZED: {
    status: 401,
    message:
      "storage needs the app token of BUNTIME_APP_TOKEN (Authorization: Bearer or x-buntime-app-token)",
  },
  BUNTIME_ERR_STORAGE_APPS_UNAVAILABLE: {
    status: 503,
    message: "no plugin provides the apps service, so app tokens cannot be checked",
  },
  BUNTIME_ERR_STORAGE_KEY_INVALID: { status: 400, message: "invalid key {key}: {reason}" },
  BUNTIME_ERR_STORAGE_VALUE_TOO_LARGE: {
    status: 413,
    message: "the value of {key} is {size} bytes, over the {limit}-byte limit",
  },
  BUNTIME_ERR_STORAGE_REQUEST_INVALID: { status: 400, message: "invalid storage request: {details}" },
  BUNTIME_ERR_STORAGE_KEY_NOT_FOUND: { status: 404, message: "no key {key}" },
  BUNTIME_ERR_STORAGE_VERSION_MISMATCH: {
    status: 412,
    message: "version check failed on {key}: it changed since you read it",
  },
  BUNTIME_ERR_STORAGE_QUOTA_EXCEEDED: {
    status: 507,
    message: "app {app} holds {used} {what}, at its quota of {limit}; delete some before writing more",
  },
  BUNTIME_ERR_STORAGE_SPACE_NOT_FOUND: { status: 404, message: "no shared space {space}" },
  BUNTIME_ERR_STORAGE_SPACE_FORBIDDEN: {
    status: 403,
    message:
      "app {app} may not {access} shared space {space}; the storage plugin's sharedSpaces config grants it",
  },
  BUNTIME_ERR_STORAGE_BACKEND_FAILED: { status: 500, message: "storage backend {backend} failed: {details}" },
  BUNTIME_ERR_DATABASE_APP_UNAUTHORIZED: {
    status: 401,
    message: "the database needs the app token of BUNTIME_DATABASE_TOKEN (Authorization: Bearer)",
  },
  BUNTIME_ERR_DATABASE_APPS_UNAVAILABLE: {
    status: 503,
    message: "no plugin provides the apps service, so app tokens cannot be checked",
  },
  BUNTIME_ERR_DATABASE_FORBIDDEN: {
    status: 403,
    message: "app {app} may not use database {database}: an app reaches only its own",
  },
  BUNTIME_ERR_DATABASE_REQUEST_INVALID: { status: 400, message: "invalid database request: {details}" },
  BUNTIME_ERR_DATABASE_STREAM_EXPIRED: {
    status: 400,
    message:
      "the stream of this baton is closed or expired (idle too long, or its database was restarted); its transaction was rolled back",
  },
  BUNTIME_ERR_DATABASE_TIMEOUT: {
    status: 504,
    message:
      "a request on database {database} ran past its {ms} ms limit and was stopped; what it had begun was undone",
  },
  BUNTIME_ERR_DATABASE_QUOTA_EXCEEDED: {
    status: 507,
    message: "database {database} would grow past its {limit}-byte quota; the statement was undone",
  },
  BUNTIME_ERR_DATABASE_MIGRATION_FAILED: {
    status: 500,
    message:
      "database {database}: migration {migration} failed: {details}; none of the pending migrations was applied",
  },
  BUNTIME_ERR_DATABASE_FAILED: { status: 500, message: "database {database} failed: {details}" },
  BUNTIME_ERR_DATABASE_ADMIN_REQUIRED: { status: 401, message: "only an admin may {action}: {how}" },
  BUNTIME_ERR_DATABASE_ADMIN_ONLY: { status: 403, message: "{user} may not {action}: only an admin may" },
  BUNTIME_ERR_DATABASE_UNKNOWN: { status: 404, message: "no database {database}: {details}" },
  BUNTIME_ERR_DATABASE_STATEMENT_FAILED: {
    status: 400,
    message: "the statement failed on database {database}: {details}",
  },
  BUNTIME_ERR_DEPLOY_UPLOAD_INVALID: {
    status: 400,
    message: "deploy refused, nothing was written: {details}",
  },
  BUNTIME_ERR_DEPLOY_VERSION_EXISTS: {
    status: 409,
    message: "{app}@{version} is already deployed; versions are immutable (publish a new version)",
  },
  BUNTIME_ERR_DEPLOY_NOT_FOUND: { status: 404, message: "{what} is not deployed" },
  BUNTIME_ERR_DEPLOY_REFUSED: { status: 409, message: "{app}: {details}" },
  BUNTIME_ERR_DEPLOY_FORBIDDEN: { status: 403, message: "deployments are for admins only" },
} as const satisfies Record<string, ErrorSpec>;
