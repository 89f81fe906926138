import type { Logger } from "@buntime/sdk";
import type { Hono } from "hono";
import type { Advisory } from "./audit/advisories.ts";
import type { AuthRateLimiter } from "./auth/rate-limit.ts";
import type { Catalog } from "./catalog/catalog.ts";
import type { TarballLimits } from "./publish/inspect-tarball.ts";
import type { SigningKeyFile } from "./signing/key-file.ts";
import type { RegistrySigner } from "./signing/registry-signer.ts";
import type { DownloadCounter } from "./stats/download-counter.ts";
import type { RegistryStorage, TokenRecord, UserRecord } from "./storage/types.ts";
import type { UplinkOptions, Uplinks } from "./uplinks/uplinks.ts";

/** Options for {@link createRegistryServer}. */
export interface RegistryServerOptions {
  /** Where metadata and tarballs live. */
  storage: RegistryStorage;
  /** Base URL written into tarball links; by default the origin each request came to. */
  publicUrl?: string;
  /** Caps on published tarballs. @default 10 MiB gzipped, 100 MiB unpacked, 10 000 entries */
  limits?: Partial<TarballLimits>;
  /** Serve packuments, tarballs and search without a token. @default true */
  anonymousRead?: boolean;
  /** Let `npm adduser` create new users (the first user becomes admin). @default true */
  allowRegistration?: boolean;
  /** Failed sign-ins allowed per client within `windowMs` before 429. @default 10 per 60 s */
  authRateLimit?: { attempts: number; windowMs: number };
  /** Where unexpected failures are logged. @default JSON lines on stderr, namespace `registry` */
  logger?: Logger;
  /**
   * The file holding the registry's signing key (see docs/registry.md, _Signing key_). Without
   * one the key is kept in the metadata store, which suits tests and in-process embedding;
   * `startRegistry` always gives one.
   */
  signingKey?: SigningKeyFile;
  /**
   * Upstream npm registries for names not published here, asked in order (see docs/registry.md,
   * _Uplinks_). Needs `uplinkCacheDir`. @default none
   */
  uplinks?: UplinkOptions[];
  /** Folder of the uplink cache (packuments and checked tarballs). */
  uplinkCacheDir?: string;
  /** Advisories `npm audit` reports (see docs/registry.md, _npm audit_). @default none */
  advisories?: Advisory[];
}

/** Options with their defaults applied. */
export interface ResolvedRegistryOptions {
  publicUrl: string | undefined;
  limits: TarballLimits;
  anonymousRead: boolean;
  allowRegistration: boolean;
  authRateLimit: { attempts: number; windowMs: number };
  logger: Logger;
  advisories: Advisory[];
}

/** Everything a route needs, built once per server. */
export interface RegistryContext extends RegistryStorage {
  options: ResolvedRegistryOptions;
  signer: RegistrySigner;
  downloads: DownloadCounter;
  rateLimiter: AuthRateLimiter;
  /** What the search and the marketplace browse. */
  catalog: Catalog;
  /** Upstream registries, when configured. */
  uplinks: Uplinks | undefined;
}

/** The caller, once its token was checked. */
export interface Caller {
  user: UserRecord;
  token: TokenRecord;
  /** The operator seeding from inside the process (no HTTP): may publish in reserved scopes. */
  operator?: boolean;
}

/** Hono environment of the registry app. */
export interface RegistryEnv {
  Variables: { caller: Caller | null };
}

/** The registry's Hono app type. */
export type RegistryApp = Hono<RegistryEnv>;
