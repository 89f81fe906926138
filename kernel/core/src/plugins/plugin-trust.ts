/**
 * Whether the kernel trusts a plugin's code: `pluginPolicy` applies to plugins installed in the
 * home from a registry. A folder the operator named (`pluginDirs`, `--plugins`, a folder passed
 * to `createKernel` or `kernel.load`) is the operator's own choice of code and is trusted; an
 * installed one is trusted only when its lockfile entry carries a publisher signature over its
 * integrity that verifies with a key in `pluginPolicy.trustedPublishers`.
 */
import { createHash, type KeyObject, verify } from "node:crypto";
import { relative, resolve, sep } from "node:path";
import { publicKeyOf, type ResolvedPluginPolicy } from "../config/plugin-policy.ts";
import type { Lockfile } from "./lockfile.ts";

/** What was decided, and why (said in messages and the docs). */
export interface TrustVerdict {
  readonly trusted: boolean;
  readonly reason: string;
}

/** npm's key id convention: `SHA256:` + unpadded base64 of the sha256 of the SPKI DER. */
function keyIdOf(key: KeyObject): string {
  const der = key.export({ type: "spki", format: "der" });
  return `SHA256:${createHash("sha256").update(der).digest("base64").replace(/=+$/, "")}`;
}

/** True when `dir` is an installed version folder, `<home>/plugins/<name>/<version>`. */
export function isInstalledFolder(home: string, dir: string): boolean {
  const inside = relative(resolve(home, "plugins"), resolve(dir));
  return inside !== "" && !inside.startsWith("..") && !inside.startsWith(sep) && inside.includes(sep);
}

/** Decides whether the plugin `name@version` in `dir` is trusted, by `policy` and the home's lockfile. */
export function trustOf(
  plugin: { name: string; version: string },
  dir: string,
  home: string,
  lock: Lockfile,
  policy: ResolvedPluginPolicy,
): TrustVerdict {
  if (!isInstalledFolder(home, dir))
    return { trusted: true, reason: "loaded from a folder the operator named" };
  const entry = lock.plugins[plugin.name];
  const signed = entry?.version === plugin.version ? entry.publisher : undefined;
  if (entry?.integrity === undefined || signed === undefined) {
    return { trusted: false, reason: "installed without a publisher signature" };
  }
  for (const { key, name } of policy.trustedPublishers) {
    const publicKey = publicKeyOf(key);
    if (keyIdOf(publicKey) !== signed.keyid) continue;
    let valid = false;
    try {
      valid = verify(null, Buffer.from(entry.integrity), publicKey, Buffer.from(signed.sig, "base64"));
    } catch {
      valid = false;
    }
    return valid
      ? { trusted: true, reason: `signed by trusted publisher ${name ?? signed.keyid}` }
      : {
          trusted: false,
          reason: `installed with a signature by ${name ?? signed.keyid} that does not match its integrity`,
        };
  }
  return {
    trusted: false,
    reason: `installed signed by ${signed.name ?? signed.keyid}, not a trusted publisher`,
  };
}
