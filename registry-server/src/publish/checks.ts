/**
 * The automated checks a publish answers with: whether the manifest is a valid plugin
 * manifest, the permissions it declares (what installers will be asked to accept), and the
 * packed files that look like secrets or source maps (the same rules `buntime plugin pack`
 * warns with), and the icon and screenshots found to be images. A refused manifest or image
 * never gets here: the publish fails naming the problem.
 */
import { packWarnings } from "@buntime/supply";
import { mediaOf } from "./inspect-tarball.ts";

/** The report in a publish response. */
export interface PublishChecks {
  /** `valid` for a plugin (an invalid plugin manifest is refused), `not a plugin` otherwise. */
  manifest: "valid" | "not a plugin";
  /** What the plugin declares it may touch; null for a package that is not a plugin. */
  permissions: { network: string[]; env: string[]; storage: boolean } | null;
  /** Packed files that look like secrets or source maps, one sentence each. */
  flagged: string[];
  /** The icon and screenshots the manifest names, each checked: in the package, its type read from its bytes, its size. */
  media: { field: string; path: string; type: string; bytes: number }[];
}

/** The checks of a published version, from its package.json and its packed file paths. */
export function publishChecks(packageJson: Record<string, unknown>, files: readonly string[]): PublishChecks {
  const buntime = packageJson.buntime as { permissions?: Partial<PublishChecks["permissions"]> } | undefined;
  const declared = buntime?.permissions ?? {};
  return {
    manifest: buntime === undefined ? "not a plugin" : "valid",
    permissions:
      buntime === undefined
        ? null
        : { network: declared?.network ?? [], env: declared?.env ?? [], storage: declared?.storage === true },
    flagged: packWarnings(files),
    media: mediaOf(packageJson).map(({ field, path, type, bytes }) => ({ field, path, type, bytes })),
  };
}
