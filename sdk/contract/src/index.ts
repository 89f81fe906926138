/**
 * @buntime/sdk: the plugin contract shared by the kernel, the registry, the CLI and every
 * plugin: `definePlugin` and the request context, the shared service contracts, the manifest
 * schemas, the one set of version rules, and the error-code registry. It depends on nothing
 * else of Buntime's; the tools for shipping plugins are in `@buntime/supply`.
 */

export type {
  AppConfigInput,
  AppManifest,
  AppManifestInput,
  ResolvedApp,
  ResolvedAppConfig,
  VirtualHosts,
} from "./app-config.ts";
export {
  APP_ENV_FILE,
  appConfigSchema,
  appManifestSchema,
  corsSchema,
  durationSchema,
  loadAppConfig,
  parseAppManifest,
  resolveApp,
  sizeSchema,
  VIRTUAL_HOSTS_FILE,
  virtualHostsSchema,
  visibilitySchema,
} from "./app-config.ts";
export {
  APP_TOKEN_MAX_TTL,
  APP_TOKEN_PREFIX,
  type AppTokenClaims,
  appTokenMac,
  mintAppToken,
  readAppToken,
} from "./app-token.ts";
export { limitBody, SMALL_BODY_BYTES } from "./body-limit.ts";
export { canonicalPath, PathRefusal } from "./canonical-path.ts";
export type { AppLocation, AppsService } from "./contracts/apps.ts";
export type { AuthService, RequestUser } from "./contracts/auth.ts";
export type {
  ClusterView,
  ClusterViewNode,
  KernelAdmin,
  KernelCluster,
  KernelOrigins,
  KernelPlugins,
  PluginEvent,
  PluginStatus,
} from "./contracts/kernel.ts";
export { clusterViewSchema } from "./contracts/kernel.ts";
export type {
  BatchOperation,
  CommitResult,
  DeleteOptions,
  KeyValueStore,
  KvEntry,
  ListOptions,
  ListPage,
  SetOptions,
} from "./contracts/keyval.ts";
export type {
  RateLimitAlgorithm,
  RateLimitDecision,
  RateLimiter,
  RateLimitPolicy,
} from "./contracts/ratelimit.ts";
export type {
  KernelSchedule,
  ScheduledJob,
  ScheduledTick,
  ScheduleHandle,
  ScheduleScope,
} from "./contracts/schedule.ts";
export type { FrameTimingSummary, FrameTimings } from "./contracts/shell.ts";
export type { DependencyNode } from "./dependencies.ts";
export { checkKernelRange, isCandidate, orderByDependencies, satisfiesRange } from "./dependencies.ts";
export type { ErrorCode, ErrorParams } from "./errors.ts";
export { BuntimeError, ERROR_CODES, isBuntimeError } from "./errors.ts";
export {
  hasIdentityHeaders,
  identityHeadersOf,
  ROLES_HEADER,
  setIdentityHeaders,
  USER_HEADER,
} from "./identity-headers.ts";
export {
  type JsonSchema,
  type JsonSchemaOptions,
  jsonSchemaOf,
  jsonSchemaText,
  type PublishedSchema,
  pluginConfigPublished,
  publishedJsonSchema,
  schemaReferenceSchema,
} from "./json-schema.ts";
export { bundledDependencies, LENT_PACKAGES, unlentDependencies } from "./lent-packages.ts";
export { jsonLogLine, serializeLogFields } from "./log-line.ts";
export type { LogEntry, LogFeed, LogFields, Logger, LogLevel } from "./logger.ts";
export type { ManifestOptions, PluginPackage, ResolvedManifest } from "./manifest.ts";
export {
  manifestSchema,
  packageNameSchema,
  parsePluginPackage,
  pluginPackageSchema,
  semverRangeSchema,
} from "./manifest.ts";
export {
  type AppDescription,
  describeApp,
  describeRoute,
  type ExplainRefusal,
  errorBodySchema,
  errorResponses,
  jsonResponse,
  type OpenAPIV3_1,
  operationsOf,
  resolver,
  validate,
} from "./openapi.ts";
export type { FanoutOptions, FanoutPeer, PeerAnswer } from "./peer-fanout.ts";
export { askPeers, PEER_ANSWER_BYTES } from "./peer-fanout.ts";
export type {
  HookName,
  KernelInfo,
  MaybePromise,
  PluginContext,
  PluginDefinition,
  PluginHooks,
  PluginRoutes,
  ServerInfo,
} from "./plugin.ts";
export { definePlugin, HOOK_NAMES, PLUGIN_DEFINITION_KEYS } from "./plugin.ts";
export type {
  AppPermissions,
  AppPoolStats,
  AppSpec,
  IsolatedPluginSpec,
  IsolationTier,
  LatencyStats,
  PoolStats,
  UpgradeTarget,
  WorkerEvent,
  WorkerPool,
} from "./pool.ts";
export { SDK_SCHEMAS } from "./published-schemas.ts";
export type { RequestContext, RequestCredentials, RequestLocals } from "./request.ts";
export type {
  ClientInfo,
  ServiceAccess,
  ServiceName,
  ServiceOf,
  Services,
  SocketHandlers,
  WebSocketUpgrades,
} from "./services.ts";
export {
  authBase,
  authRequired,
  DEFAULT_AUTH_BASE,
  DEFAULT_SIGN_IN_PATH,
  type SignInServices,
  sameSitePath,
  signInPath,
  signInUrl,
} from "./sign-in.ts";
export type {
  FailureStore,
  FailureWindow,
  SignInAttempt,
  SignInLimiter,
  SignInLimitOptions,
  SignInRefusal,
} from "./sign-in-limits.ts";
export { createSignInLimiter, memoryFailureStore } from "./sign-in-limits.ts";
export {
  TRACEPARENT_HEADER,
  type TraceCarrier,
  traceparentOf,
  UNRECORDED_TRACEPARENT,
} from "./trace-context.ts";
export { contextPath, isUnderBase, pathnameOf, routeLabelOf } from "./url-path.ts";
export { formatZodIssues } from "./zod-issues.ts";
