import { BuntimeError } from "@buntime/sdk";
import type { PackedPlugin } from "../pack/pack.ts";
import type { Signature, TrustedKey } from "../signing/signatures.ts";
import { integrityOf } from "../tarball/integrity.ts";
import { bodyChunks, failure, packagePath, send, type Transport } from "./http.ts";
import type { CachedPackument, Packument, PackumentCache, PluginSummary } from "./types.ts";

/** Options for {@link createRegistryClient}. */
export interface RegistryClientOptions {
  /** Registry base URL, e.g. `http://127.0.0.1:4873/`. */
  registry: string;
  /** Bearer token for publishing and private reads. */
  token?: string;
  /** Packuments kept between calls, revalidated with their ETag. @default an in-memory map */
  cache?: PackumentCache;
  /** @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Largest tarball accepted; a download past it is cut off. @default 104857600 (100 MiB) */
  maxTarballBytes?: number;
  /** How long a request waits for an answer, and a download for its next bytes. @default 30000 */
  timeoutMs?: number;
  /**
   * Extra tries of a read (GET) after a network failure, a timeout, a 429 or a 5xx, with
   * exponential backoff; a publish or sign-in is never sent twice. @default 2
   */
  retries?: number;
  /** The first backoff wait; later ones double. @default 250 */
  retryDelayMs?: number;
}

/** Options for {@link RegistryClient.publish}. */
export interface PublishOptions {
  /** Dist-tag to point at the new version. @default "latest" */
  tag?: string;
  /** A publisher signature over the tarball's integrity (see `signIntegrity`). */
  publisherSignature?: Signature;
}

/** Progress of a download: bytes so far and the total when the registry says it. */
export type DownloadProgress = (received: number, total: number | undefined) => void;

/** A client for a Buntime (or any npm-compatible) registry. */
export interface RegistryClient {
  readonly registry: string;
  /** The full packument; `undefined` when the package does not exist (404). */
  packument(name: string): Promise<Packument | undefined>;
  /** Downloads a tarball and checks it against `integrity` (`BUNTIME_ERR_CLIENT_INTEGRITY_MISMATCH`). */
  tarball(url: string, integrity: string, label: string, onProgress?: DownloadProgress): Promise<Uint8Array>;
  /** Publishes a packed plugin. */
  publish(packed: PackedPlugin, options?: PublishOptions): Promise<void>;
  /** Signs in (creating the user when the registry allows it) and answers a token. */
  login(user: string, password: string, email?: string): Promise<string>;
  /** The user the token belongs to (`BUNTIME_ERR_CLIENT_NOT_LOGGED_IN` without a token). */
  whoami(): Promise<string>;
  /** The registry's signing keys (`/-/npm/v1/keys`). */
  registryKeys(): Promise<TrustedKey[]>;
  /** A publisher's registered ed25519 keys. */
  publisherKeys(user: string): Promise<TrustedKey[]>;
  /** Registers an ed25519 public key (PEM) for the signed-in user; answers its key id. */
  registerPublisherKey(publicKey: string): Promise<string>;
  /** Plugins matching `text` in the marketplace. */
  search(text: string, options?: { kernel?: string; limit?: number }): Promise<PluginSummary[]>;
}

function memoryCache(): PackumentCache {
  const map = new Map<string, CachedPackument>();
  return { get: (key) => map.get(key), set: (key, value) => void map.set(key, value) };
}

/**
 * Creates a registry client. Packuments are cached with their ETag and revalidated
 * (`If-None-Match`, 304); every request has a timeout, reads are tried again with backoff
 * (writes never are); every failure is a coded error naming the registry.
 *
 * @example
 * const client = createRegistryClient({ registry: "http://127.0.0.1:4873/" });
 * const doc = resolveVersion((await client.packument("auth"))!, "^1", KERNEL_VERSION);
 * const bytes = await client.tarball(doc.dist.tarball, doc.dist.integrity, "auth");
 */
export function createRegistryClient(options: RegistryClientOptions): RegistryClient {
  const registry = options.registry.endsWith("/") ? options.registry : `${options.registry}/`;
  const transport: Transport = {
    registry,
    token: options.token,
    fetch: options.fetch ?? fetch,
    timeoutMs: options.timeoutMs ?? 30_000,
    retries: Math.max(0, Math.floor(options.retries ?? 2)),
    retryDelayMs: options.retryDelayMs ?? 250,
  };
  const cache = options.cache ?? memoryCache();
  const maxTarballBytes = options.maxTarballBytes ?? 100 * 1024 * 1024;

  async function json<T>(path: string, action: string, init?: RequestInit): Promise<T> {
    const response = await send(transport, path, init);
    if (!response.ok) return failure(transport, response, action);
    return (await response.json()) as T;
  }

  return {
    registry,
    async packument(name) {
      const path = packagePath(name);
      const cached = cache.get(`${registry}${path}`);
      const headers: Record<string, string> = { accept: "application/json" };
      if (cached) headers["if-none-match"] = cached.etag;
      const action = `GET ${name}`;
      const response = await send(transport, path, { headers });
      if (response.status === 304 && cached) return cached.packument;
      if (response.status === 404) return undefined;
      if (!response.ok) return failure(transport, response, action);
      const packument = (await response.json()) as Packument;
      const etag = response.headers.get("etag");
      if (etag) cache.set(`${registry}${path}`, { etag, packument });
      return packument;
    },

    async tarball(url, integrity, label, onProgress) {
      const action = `download ${label}`;
      const response = await send(transport, url);
      if (!response.ok || !response.body) return failure(transport, response, action);
      const total = Number(response.headers.get("content-length")) || undefined;
      const chunks: Uint8Array[] = [];
      let received = 0;
      for await (const chunk of bodyChunks(transport, response.body, new URL(url, registry).href)) {
        chunks.push(chunk);
        received += chunk.length;
        if (received > maxTarballBytes) {
          throw new BuntimeError("BUNTIME_ERR_TARBALL_INVALID", {
            source: label,
            details: `the download passed ${maxTarballBytes} bytes`,
          });
        }
        onProgress?.(received, total);
      }
      const bytes = Buffer.concat(chunks);
      const actual = integrityOf(bytes);
      if (actual !== integrity) {
        throw new BuntimeError("BUNTIME_ERR_CLIENT_INTEGRITY_MISMATCH", {
          package: label,
          actual: `${actual.slice(0, 24)}…`,
          expected: `${integrity.slice(0, 24)}…`,
        });
      }
      return new Uint8Array(bytes);
    },

    async publish(packed, { tag = "latest", publisherSignature } = {}) {
      const tarballName = `${packed.name}/-/${packed.filename}`;
      const body = {
        _id: packed.name,
        name: packed.name,
        "dist-tags": { [tag]: packed.version },
        versions: {
          [packed.version]: {
            ...packed.packageJson,
            _id: `${packed.name}@${packed.version}`,
            dist: {
              integrity: packed.integrity,
              shasum: packed.shasum,
              tarball: new URL(tarballName, registry).href,
              ...(publisherSignature ? { publisherSignature } : {}),
            },
          },
        },
        access: "public",
        _attachments: {
          [packed.filename]: {
            content_type: "application/octet-stream",
            data: Buffer.from(packed.tarball).toString("base64"),
            length: packed.tarball.length,
          },
        },
      };
      await json(packagePath(packed.name), `publish ${packed.name}@${packed.version}`, {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    },

    async login(user, password, email) {
      const body = { _id: `org.couchdb.user:${user}`, name: user, password, email, type: "user", roles: [] };
      const answer = await json<{ token: string }>(
        `-/user/org.couchdb.user:${encodeURIComponent(user)}`,
        "login",
        {
          method: "PUT",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
        },
      );
      return answer.token;
    },

    async whoami() {
      if (!transport.token) throw new BuntimeError("BUNTIME_ERR_CLIENT_NOT_LOGGED_IN", { registry });
      return (await json<{ username: string }>("-/whoami", "whoami")).username;
    },

    async registryKeys() {
      const { keys } = await json<{ keys: { keyid: string; key: string }[] }>("-/npm/v1/keys", "GET keys");
      return keys.map(({ keyid, key }) => ({ keyid, key }));
    },

    async publisherKeys(user) {
      const path = `-/buntime/v1/publishers/${encodeURIComponent(user)}/keys`;
      const response = await send(transport, path);
      if (response.status === 404) return [];
      if (!response.ok) return failure(transport, response, `GET keys of ${user}`);
      const { keys } = (await response.json()) as { keys: { keyid: string; key: string }[] };
      return keys.map(({ keyid, key }) => ({ keyid, key }));
    },

    async registerPublisherKey(publicKey) {
      const answer = await json<{ keyid: string }>("-/buntime/v1/publisher-keys", "register key", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ publicKey }),
      });
      return answer.keyid;
    },

    async search(text, { kernel, limit = 20 } = {}) {
      const query = new URLSearchParams({ q: text, limit: String(limit) });
      if (kernel) query.set("kernel", kernel);
      if (!text) query.set("sort", "name");
      if (!text) query.delete("q");
      const { plugins } = await json<{ plugins: PluginSummary[] }>(
        `-/marketplace/plugins?${query}`,
        "search",
      );
      return plugins;
    },
  };
}
