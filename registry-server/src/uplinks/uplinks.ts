import { BuntimeError, type Logger } from "@buntime/sdk";
import semver from "semver";
import { escapedName, versionFromFileName } from "../packument/names.ts";
import { type CachedPackument, createUplinkCache } from "./cache.ts";
import { actualDigest, expectedDigest } from "./integrity.ts";
import { fetchUpstream, type Uplink } from "./upstream.ts";

/** One upstream registry as {@link createUplinks} takes it. */
export interface UplinkOptions {
  /** Base URL of the upstream npm registry. */
  url: string;
  /** Bearer token sent to the upstream's own origin. */
  token?: string;
  /** How long a cached packument is served before the upstream is asked again. @default 300 */
  maxAgeSeconds?: number;
  /** Time allowed for one upstream request. @default 30000 */
  timeoutMs?: number;
  /** Largest tarball fetched from the upstream. @default 200 MiB */
  maxTarballBytes?: number;
}

/** Upstream packages, fetched on demand and cached. */
export interface Uplinks {
  /**
   * The upstream packument of `name`: from the cache while younger than its uplink's max age,
   * else from the first uplink that has it (the stale copy when every uplink fails); undefined
   * when no uplink has the name.
   */
  packument(name: string): Promise<CachedPackument | undefined>;
  /**
   * The tarball `file` of `name`: from the cache, else fetched from the uplink that served the
   * packument and checked against the version's `dist.integrity` (else `dist.shasum`) before it
   * is cached. A mismatch is `BUNTIME_ERR_REGISTRY_UPLINK_INTEGRITY` and nothing is cached.
   */
  tarball(name: string, file: string): Promise<Uint8Array | undefined>;
}

function resolveUplink(options: UplinkOptions): Uplink {
  return {
    url: options.url.replace(/\/+$/, ""),
    token: options.token,
    maxAgeMs: (options.maxAgeSeconds ?? 300) * 1000,
    timeoutMs: options.timeoutMs ?? 30_000,
    maxTarballBytes: options.maxTarballBytes ?? 200 * 1024 * 1024,
  };
}

function parsePackument(body: Uint8Array, name: string, uplink: Uplink): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder().decode(body));
  } catch {
    doc = undefined;
  }
  const record = doc as Record<string, unknown> | undefined;
  if (!record || typeof record !== "object" || typeof record.versions !== "object" || record.name !== name) {
    throw new BuntimeError("BUNTIME_ERR_REGISTRY_UPLINK_FAILED", {
      package: name,
      uplink: uplink.url,
      details: `the answer is not the packument of ${name}`,
    });
  }
  return record;
}

/** Uplinks asked in order, cached in `cacheDir`. */
export function createUplinks(options: UplinkOptions[], cacheDir: string, logger: Logger): Uplinks {
  const uplinks = options.map(resolveUplink);
  const cache = createUplinkCache(cacheDir);

  const packument = async (name: string): Promise<CachedPackument | undefined> => {
    const cached = await cache.getPackument(name);
    const owner = uplinks.find((uplink) => uplink.url === cached?.uplink);
    if (cached && owner && Date.now() - cached.fetchedAt < owner.maxAgeMs) return cached;
    let failure: unknown;
    for (const uplink of uplinks) {
      try {
        const etag = cached?.uplink === uplink.url ? cached.etag : undefined;
        const url = `${uplink.url}/${escapedName(name)}`;
        const answer = await fetchUpstream(uplink, url, name, {
          accept: "application/json",
          etag,
          what: "packument",
        });
        if (answer.kind === "missing") continue;
        let entry: CachedPackument;
        if (answer.kind === "found") {
          const doc = parsePackument(answer.body, name, uplink);
          entry = { uplink: uplink.url, fetchedAt: Date.now(), etag: answer.etag, packument: doc };
        } else if (cached && etag) {
          entry = { ...cached, fetchedAt: Date.now() };
        } else {
          throw new Error(`${uplink.url} answered 304 to a request without an ETag`);
        }
        cache.putPackument(name, entry);
        return entry;
      } catch (error) {
        failure = error;
      }
    }
    if (failure === undefined) return undefined;
    if (cached) {
      logger.warn("uplink failed; serving the cached packument", { package: name, error: String(failure) });
      return cached;
    }
    throw failure;
  };

  const tarball = async (name: string, file: string): Promise<Uint8Array | undefined> => {
    const version = versionFromFileName(name, file);
    if (!version || !semver.valid(version)) return undefined;
    const hit = await cache.getTarball(name, version);
    if (hit) return hit;
    const entry = await packument(name);
    const versions = (entry?.packument.versions ?? {}) as Record<string, Record<string, unknown>>;
    const doc = Object.hasOwn(versions, version) ? versions[version] : undefined;
    const uplink = uplinks.find((candidate) => candidate.url === entry?.uplink);
    if (!entry || !doc || !uplink) return undefined;
    const dist = doc.dist as Record<string, unknown> | undefined;
    const expected = expectedDigest(dist);
    const source = typeof dist?.tarball === "string" ? dist.tarball : "";
    const refuse = (details: string) =>
      new BuntimeError("BUNTIME_ERR_REGISTRY_UPLINK_FAILED", {
        package: `${name}@${version}`,
        uplink: uplink.url,
        details,
      });
    if (!expected)
      throw refuse("the upstream gives no integrity or shasum for this version, so it is not served");
    if (!/^https?:\/\//.test(source))
      throw refuse(`the upstream's tarball link ${JSON.stringify(source)} is not http(s)`);
    const answer = await fetchUpstream(uplink, source, name, {
      accept: "application/octet-stream",
      max: uplink.maxTarballBytes,
      what: "tarball",
    });
    if (answer.kind !== "found") return undefined;
    const actual = actualDigest(answer.body, expected);
    if (actual !== expected.digest) {
      throw new BuntimeError("BUNTIME_ERR_REGISTRY_UPLINK_INTEGRITY", {
        package: name,
        version,
        uplink: uplink.url,
        expected: expected.label,
        actual: expected.algorithm === "sha1" ? `sha1 ${actual}` : `${expected.algorithm}-${actual}`,
      });
    }
    cache.putTarball(name, version, answer.body);
    return answer.body;
  };

  // Concurrent requests for one name (an install asks many at once) share one upstream fetch.
  const inflight = new Map<string, Promise<unknown>>();
  const once = <T>(key: string, run: () => Promise<T>): Promise<T> => {
    const running = inflight.get(key) as Promise<T> | undefined;
    if (running) return running;
    const started = run().finally(() => inflight.delete(key));
    inflight.set(key, started);
    return started;
  };
  return {
    packument: (name) => once(`p ${name}`, () => packument(name)),
    tarball: (name, file) => once(`t ${name} ${file}`, () => tarball(name, file)),
  };
}
