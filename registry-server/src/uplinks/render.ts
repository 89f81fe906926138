import { ABBREVIATED_FIELDS } from "../packument/build.ts";
import { tarballFileName } from "../packument/names.ts";

type Doc = Record<string, unknown>;

/** A version document with its tarball link pointing at this registry, which fetches and checks it. */
export function proxiedVersion(doc: Doc, name: string, baseUrl: string): Doc {
  const dist = (doc.dist ?? {}) as Doc;
  const tarball = `${baseUrl}/${name}/-/${tarballFileName(name, String(doc.version))}`;
  return { ...doc, dist: { ...dist, tarball } };
}

function versionsOf(packument: Doc): [string, Doc][] {
  const versions = (packument.versions ?? {}) as Record<string, Doc>;
  return Object.entries(versions).filter(
    ([key, doc]) => doc && typeof doc === "object" && doc.version === key,
  );
}

/** An upstream packument as this registry serves it: full, or abbreviated for installers. */
export function proxiedPackument(packument: Doc, name: string, baseUrl: string, abbreviated: boolean): Doc {
  const versions = versionsOf(packument).map(([version, doc]): [string, Doc] => {
    const proxied = proxiedVersion(doc, name, baseUrl);
    if (!abbreviated) return [version, proxied];
    const slim: Doc = {};
    for (const field of ABBREVIATED_FIELDS) if (proxied[field] !== undefined) slim[field] = proxied[field];
    slim.dist = proxied.dist;
    return [version, slim];
  });
  if (!abbreviated) return { ...packument, versions: Object.fromEntries(versions) };
  const time = (packument.time ?? {}) as Doc;
  return {
    name,
    modified: time.modified,
    "dist-tags": packument["dist-tags"] ?? {},
    versions: Object.fromEntries(versions),
  };
}
