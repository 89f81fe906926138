import { isCandidate } from "@buntime/sdk";
import type { RegistryClient, VersionDocument } from "@buntime/supply";
import semver from "semver";
import type { Unsatisfiable } from "./resolve.ts";

/** One registry app of a manifest: its name, package and range. */
export interface WantedApp {
  name: string;
  package: string;
  range: string;
}

/** The chosen version document of each app, by app name, or the apps nothing satisfies. */
export interface AppResolution {
  chosen: Map<string, VersionDocument>;
  problems: Unsatisfiable[];
}

const ROOT = "buntime.distro.json";

/** How an app is named in the unsatisfiable table: `app shop`, or `app shop (@acme/shop)`. */
export function appLabel(app: WantedApp): string {
  return app.package === app.name ? `app ${app.name}` : `app ${app.name} (${app.package})`;
}

/**
 * Resolves each registry app to the newest version of its package in range that is an app
 * package (`buntime.app` in its manifest); `pins` (app name → version) keep an app at a locked
 * version while the range still admits it. Apps have no dependencies, so one pass settles.
 * Apps nothing satisfies (an unknown package, no version in range, only plugin versions) are
 * collected as rows of the same table as the plugins', never thrown one at a time.
 */
export async function resolveApps(
  apps: readonly WantedApp[],
  client: RegistryClient,
  pins: Record<string, string> = {},
): Promise<AppResolution> {
  const chosen = new Map<string, VersionDocument>();
  const problems: Unsatisfiable[] = [];
  for (const app of apps) {
    const wants = [{ range: app.range, by: ROOT }];
    const pin = pins[app.name];
    if (pin) wants.push({ range: pin, by: "distro.lock.json (kept)" });
    const packument = await client.packument(app.package);
    const row = { plugin: appLabel(app), wants };
    if (!packument) {
      problems.push({
        ...row,
        available: [],
        reason: `${app.package} is not in registry ${client.registry}`,
      });
      continue;
    }
    const versions = Object.keys(packument.versions).sort(semver.rcompare);
    const inRange = versions.filter((v) => wants.every((want) => isCandidate(v, want.range)));
    const best = inRange.find((v) => packument.versions[v]?.buntime?.app !== undefined);
    if (best !== undefined) {
      chosen.set(app.name, packument.versions[best] as VersionDocument);
      continue;
    }
    const reason =
      inRange.length === 0
        ? "no published version is in range"
        : `${inRange.slice(0, 3).join(", ")} ${inRange.length === 1 ? "is no app package" : "are no app packages"} (no buntime.app in package.json)`;
    problems.push({ ...row, available: versions.slice(0, 10), reason });
  }
  return { chosen, problems };
}
