/**
 * The Helm chart's init step on a cluster node: writes the settings file the kernel reads (the
 * ConfigMap's, in a memory-backed volume) with the nodes' shared tokens from a Secret: the logs
 * plugin's `cluster.token` and the metrics plugin's `scrapeToken`, each only if the distribution
 * locks that plugin. The plugins take them only from their settings, and a token never belongs
 * in the values or the ConfigMap, so it is added here, in the pod.
 *
 *   bun peer-tokens.js <distro.lock.json> <settings from the ConfigMap> <settings to write>
 *
 * with BUNTIME_LOGS_CLUSTER_TOKEN and BUNTIME_METRICS_SCRAPE_TOKEN set. A token missing or
 * shorter than 32 characters stops the pod here, naming the variable, before the kernel starts.
 */
import { readFileSync, writeFileSync } from "node:fs";

const TOKENS = [
  {
    plugin: "@buntime/plugin-logs",
    variable: "BUNTIME_LOGS_CLUSTER_TOKEN",
    apply: (settings, token) => {
      settings.cluster = { ...settings.cluster, token };
    },
  },
  {
    plugin: "@buntime/plugin-metrics",
    variable: "BUNTIME_METRICS_SCRAPE_TOKEN",
    apply: (settings, token) => {
      settings.scrapeToken = token;
    },
  },
];

const [lockPath, sourcePath, targetPath] = process.argv.slice(2);
if (targetPath === undefined) {
  console.error("usage: bun peer-tokens.js <distro.lock.json> <settings file> <settings file to write>");
  process.exit(2);
}
const locked = JSON.parse(readFileSync(lockPath, "utf8")).plugins ?? {};
const settings = JSON.parse(readFileSync(sourcePath, "utf8"));
settings.plugins ??= {};
for (const { plugin, variable, apply } of TOKENS) {
  if (!(plugin in locked)) continue;
  const token = process.env[variable] ?? "";
  if (token.length < 32) {
    console.error(`${variable} must hold the ${plugin} token from the Secret, at least 32 characters`);
    process.exit(1);
  }
  settings.plugins[plugin] ??= {};
  apply(settings.plugins[plugin], token);
}
writeFileSync(targetPath, JSON.stringify(settings), { mode: 0o600 });
