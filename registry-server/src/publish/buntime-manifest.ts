/**
 * The `buntime` field of a published package.json, checked before anything is stored: a plugin's
 * manifest, or an app package's (`buntime.app` alone, the manifest `buntime app publish` writes).
 */
import { appManifestSchema, BuntimeError, formatZodIssues, parsePluginPackage } from "@buntime/sdk";

/** Throws `BUNTIME_ERR_MANIFEST_INVALID` naming the package and every bad field. */
export function checkBuntimeManifest(packageJson: Record<string, unknown>, label: string): void {
  const buntime = packageJson.buntime;
  const isApp = typeof buntime === "object" && buntime !== null && "app" in buntime;
  if (!isApp) {
    parsePluginPackage(packageJson, "published tarball");
    return;
  }
  const source = `${label} (published tarball)`;
  const others = Object.keys(buntime).filter((key) => key !== "app");
  if (others.length > 0) {
    throw new BuntimeError("BUNTIME_ERR_MANIFEST_INVALID", {
      source,
      details: `an app package's buntime holds only app (found ${others.join(", ")})`,
    });
  }
  const parsed = appManifestSchema.safeParse((buntime as { app: unknown }).app);
  if (!parsed.success) {
    throw new BuntimeError("BUNTIME_ERR_MANIFEST_INVALID", {
      source,
      details: formatZodIssues(parsed.error, "buntime.app"),
    });
  }
}
