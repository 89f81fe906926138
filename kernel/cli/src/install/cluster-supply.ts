import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ClusterSupply } from "@buntime/kernel";
import { BuntimeError, parsePluginPackage } from "@buntime/sdk";
import {
  createRegistryClient,
  extractTarball,
  type KeyPins,
  requireResolvableDependencies,
} from "@buntime/supply";
import { registryOf } from "../common/context.ts";
import { readSettings, type SignaturePolicy, settingsDir } from "../common/settings.ts";
import { createSignatureChecker } from "./verify.ts";

/**
 * A cluster node's plugin supply on a registry: each tarball is found through the registry's
 * packument (the version the desired state names, with that integrity), its signatures checked
 * by the CLI's signature policy, and unpacked by `@buntime/supply`'s one tarball stack, as
 * `buntime plugin install` does.
 */
export function registrySupply(
  registry: string,
  options: { token?: string; policy?: SignaturePolicy; pins?: KeyPins } = {},
): ClusterSupply {
  const client = createRegistryClient({ registry, token: options.token });
  // the same signature policy as `buntime plugin install`: registry-signed by default
  const signatures = createSignatureChecker(client, options.policy ?? "registry", options.pins ?? {});
  return {
    source: client.registry,
    async fetchTarball({ name, version, integrity }) {
      const label = `${name}@${version}`;
      const doc = (await client.packument(name))?.versions[version];
      if (!doc) {
        throw new BuntimeError("BUNTIME_ERR_CLUSTER_INTEGRITY_MISMATCH", {
          plugin: label,
          actual: `none: ${client.registry} has no such version`,
          expected: integrity,
        });
      }
      if (doc.dist.integrity !== integrity) {
        throw new BuntimeError("BUNTIME_ERR_CLUSTER_INTEGRITY_MISMATCH", {
          plugin: label,
          actual: doc.dist.integrity,
          expected: integrity,
        });
      }
      await signatures.check(doc);
      return client.tarball(doc.dist.tarball, integrity, label);
    },
    unpack(bytes, dest, { name, version }, home) {
      const label = `${name}@${version}`;
      extractTarball(bytes, dest, { source: label });
      const packageJson = JSON.parse(readFileSync(join(dest, "package.json"), "utf8")) as Record<
        string,
        unknown
      >;
      const pkg = parsePluginPackage(packageJson, label);
      if (pkg.name !== name || pkg.version !== version) {
        throw new BuntimeError("BUNTIME_ERR_TARBALL_INVALID", {
          source: label,
          details: `it holds ${pkg.name}@${pkg.version}`,
        });
      }
      requireResolvableDependencies(packageJson, dest, label, home);
    },
  };
}

/**
 * The supply `buntime start` gives a cluster node: the registry of `BUNTIME_REGISTRY` (else the
 * CLI settings', else the local default) with `BUNTIME_REGISTRY_TOKEN` or the saved token.
 */
export function defaultClusterSupply(): ClusterSupply {
  const settings = readSettings(settingsDir());
  const registry = registryOf(undefined, settings);
  return registrySupply(registry, {
    token: process.env.BUNTIME_REGISTRY_TOKEN ?? settings.tokens[registry],
    policy: settings.signaturePolicy,
    pins: settings.registryKeys,
  });
}
