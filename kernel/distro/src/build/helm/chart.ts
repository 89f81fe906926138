/**
 * `buntime distro build --helm`: a Helm chart of the built distribution's image, in `helm/`:
 * Chart.yaml, values.yaml, values.schema.json (each plugin's settings by its own schema) and
 * templates with health probes, a drain deadline, cluster settings from Secrets (the nodes'
 * shared tokens too, set into the settings by `files/peer-tokens.js` in an init container), each
 * node's address from its pod IP, topology spread, an optional CPU HorizontalPodAutoscaler and,
 * above one replica, a PodDisruptionBudget.
 */
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Document, isMap, isScalar, stringify } from "yaml";
import type { DistroLock } from "../../lock/schema.ts";
import type { DistroManifest } from "../../manifest.ts";
import { imageNameOf } from "../docker.ts";
import { pluginConfigSchemas } from "./config-schemas.ts";
import { chartValues, VALUE_COMMENTS, valuesSchema } from "./values.ts";

/**
 * The chart's templates, kept as files in this package (`kernel/distro/helm/templates`), named
 * `*.yaml.gotmpl` there so that YAML tools leave them alone; the chart gets them as `*.yaml`.
 */
const TEMPLATES = join(import.meta.dir, "..", "..", "..", "helm", "templates");

/** The files the templates read (`.Files.Get "files/…"`), copied as they are. */
const FILES = join(import.meta.dir, "..", "..", "..", "helm", "files");

/** `values.yaml`: the values with what each means above it. */
function valuesYaml(values: Record<string, unknown>): string {
  const doc = new Document(values);
  if (isMap(doc.contents)) {
    for (const pair of doc.contents.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : "";
      if (VALUE_COMMENTS[key] && isScalar(pair.key)) pair.key.commentBefore = VALUE_COMMENTS[key];
    }
  }
  return doc.toString();
}

/**
 * Writes the chart into `<dir>/helm` (the plugins already extracted into `dir`); answers the
 * plugins whose settings schema was derived from the manifest, with why.
 */
export async function writeHelmChart(
  dir: string,
  lock: DistroLock,
  manifest: DistroManifest,
): Promise<Record<string, string>> {
  const out = join(dir, "helm");
  mkdirSync(out, { recursive: true });
  const name = imageNameOf(lock.name);
  const chart = {
    apiVersion: "v2",
    name,
    description: `Buntime distribution ${lock.name}@${lock.version} (buntime distro build --helm)`,
    type: "application",
    version: lock.version,
    appVersion: lock.version,
  };
  writeFileSync(join(out, "Chart.yaml"), stringify(chart));
  writeFileSync(join(out, "values.yaml"), valuesYaml(chartValues(lock, manifest, name)));
  const { schemas, derived } = await pluginConfigSchemas(dir, lock, manifest);
  writeFileSync(join(out, "values.schema.json"), `${JSON.stringify(valuesSchema(schemas), null, 2)}\n`);
  mkdirSync(join(out, "templates"));
  for (const file of readdirSync(TEMPLATES).filter((f) => f.endsWith(".gotmpl")))
    copyFileSync(join(TEMPLATES, file), join(out, "templates", file.replace(/\.gotmpl$/, "")));
  mkdirSync(join(out, "files"));
  for (const file of readdirSync(FILES)) copyFileSync(join(FILES, file), join(out, "files", file));
  return derived;
}
