/**
 * What a cluster node needs from outside the kernel to fill its plugin cache: the kernel knows no
 * registry and unpacks no tarballs (`@buntime/supply` does, and the kernel may not import it), so
 * whoever starts a node hands it a supply (`buntime start` builds one on its registry settings).
 */

/** One plugin of the desired state, as its lock entry names it. */
export interface DesiredPlugin {
  readonly name: string;
  readonly version: string;
  /** The tarball's subresource integrity (`sha512-<base64>`), the cache key. */
  readonly integrity: string;
}

/** Fetches and unpacks plugin tarballs for a cluster node. */
export interface ClusterSupply {
  /** Where tarballs come from, for logs and readiness reasons (a registry URL). */
  readonly source: string;
  /** The tarball's bytes; the node checks them against `plugin.integrity` before use. */
  fetchTarball(plugin: DesiredPlugin): Promise<Uint8Array>;
  /** Unpacks verified bytes into `dest` (which does not exist yet), checking every entry. */
  unpack(bytes: Uint8Array, dest: string, plugin: DesiredPlugin, home: string): void | Promise<void>;
}
