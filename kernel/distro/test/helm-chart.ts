/**
 * The chart the helm tests read: a test distribution (a plugin with a zod settings schema, one
 * whose entry cannot be imported) locked against a registry on 127.0.0.1 and built with `--helm`
 * once per test file; its templates rendered (helm-render.ts) with values over the chart's own,
 * merged as Helm merges them, and each manifest validated against the Kubernetes schemas.
 */
import { afterAll, beforeAll } from "bun:test";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildDistribution, cachedTarballs, lockDistribution, parseManifest } from "@buntime/distro";
import { KERNEL_VERSION } from "@buntime/kernel";
import { type RunningRegistry, startRegistry } from "@buntime/registry-server";
import { createRegistryClient, packPlugin } from "@buntime/supply";
import { Deployment } from "kubernetes-models/apps/v1";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import { ConfigMap, Secret, Service } from "kubernetes-models/v1";
import { parse, parseAllDocuments } from "yaml";
import { type RenderScope, renderTemplate } from "./helm-render.ts";

const REPO_MODULES = join(import.meta.dir, "..", "..", "..", "node_modules");

/** The Kubernetes models a rendered chart may hold, by apiVersion and kind; each validates against the Kubernetes schemas. */
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  "apps/v1 Deployment": Deployment,
  "v1 Service": Service,
  "v1 ConfigMap": ConfigMap,
  "v1 Secret": Secret,
  "policy/v1 PodDisruptionBudget": PodDisruptionBudget,
  "autoscaling/v2 HorizontalPodAutoscaler": HorizontalPodAutoscaler,
};

const GREETER = `import { z } from "zod";
export default {
  config: z.object({ greeting: z.string().min(1), times: z.number().int().min(1).default(1) }).strict(),
  setup: () => ({ fetch: () => new Response("hi") }),
};
`;

/** The built chart of the test file that called `useBuiltChart`, once its `beforeAll` ran. */
export const built = {
  /** The temporary folder of the sources, the registry and the builds. */
  dir: "",
  /** The chart: `<dir>/build/helm`. */
  chart: "",
  /** The plugins whose settings schema the build derived from the manifest, with why. */
  derived: undefined as Record<string, string> | undefined,
};
let registry: RunningRegistry;

function plugin(name: string, source: string): string {
  const folder = join(built.dir, "src", name.replace("/", "__"));
  mkdirSync(folder, { recursive: true });
  const pkg = { name, version: "1.0.0", type: "module", main: "index.ts", buntime: { kernel: "*" } };
  writeFileSync(join(folder, "package.json"), JSON.stringify(pkg));
  writeFileSync(join(folder, "index.ts"), source);
  return folder;
}

/** Locks and builds the test distribution with `--helm` into `out`. */
export async function build(out: string) {
  const manifestPath = join(built.dir, "buntime.distro.json");
  const manifest = parseManifest(JSON.parse(readFileSync(manifestPath, "utf8")), manifestPath);
  const client = createRegistryClient({ registry: registry.url });
  const lock = await lockDistribution({ manifest, manifestPath, client, kernelVersion: KERNEL_VERSION });
  return buildDistribution({
    manifest,
    manifestPath,
    lock,
    lockPath: join(built.dir, "distro.lock.json"),
    out,
    tarballs: cachedTarballs(join(built.dir, "tarballs"), client),
    builder: "test",
    linkModules: REPO_MODULES,
    docker: { bunVersion: Bun.version },
    helm: true,
  });
}

/** Builds the chart before the tests of the calling file and removes everything after them. */
export function useBuiltChart(): void {
  beforeAll(async () => {
    built.dir = mkdtempSync(join(tmpdir(), "buntime-helm-"));
    registry = await startRegistry({
      port: 0,
      hostname: "127.0.0.1",
      storageDir: join(built.dir, "registry"),
    });
    await registry.publishTarball(packPlugin(plugin("@acme/greeter", GREETER)).tarball);
    await registry.publishTarball(packPlugin(plugin("@acme/broken", 'import "no-such-package";\n')).tarball);
    const manifest = {
      name: "@acme/edge",
      version: "1.2.3",
      registry: registry.url,
      plugins: { "@acme/greeter": { range: "^1", config: { greeting: "hi" } }, "@acme/broken": "^1" },
      pool: { shutdownTimeout: 20_000 },
    };
    writeFileSync(join(built.dir, "buntime.distro.json"), JSON.stringify(manifest));
    const result = await build(join(built.dir, "build"));
    built.derived = result.derivedSchemas;
    built.chart = join(built.dir, "build", "helm");
  }, 60_000);

  afterAll(async () => {
    await registry?.stop();
    rmSync(built.dir, { recursive: true, force: true });
  });
}

/** Objects merged key by key, other values replaced: how Helm puts given values over the chart's. */
function coalesce(base: unknown, over: unknown): unknown {
  const isMap = (v: unknown): v is Record<string, unknown> =>
    !!v && typeof v === "object" && !Array.isArray(v);
  if (!isMap(base) || !isMap(over)) return over;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) merged[key] = coalesce(base[key], value);
  return merged;
}

/** The chart's `values.yaml` with `values` over it. */
// biome-ignore lint/suspicious/noExplicitAny: values, read by path
export function valuesOf(values: Record<string, unknown> = {}): any {
  return coalesce(parse(readFileSync(join(built.chart, "values.yaml"), "utf8")), values);
}

/**
 * Renders every template for `values` (over the chart's own) and parses the documents, empty ones
 * left out; `lookup` answers what the cluster holds (nothing, as under `helm template`, without it).
 */
export function render(
  values: Record<string, unknown>,
  lookup?: RenderScope["lookup"],
): Record<string, unknown>[] {
  const chart = built.chart;
  const meta = parse(readFileSync(join(chart, "Chart.yaml"), "utf8"));
  const scope: RenderScope = {
    Values: valuesOf(values),
    Release: { Name: "edge", Namespace: "shop" },
    Chart: { Name: meta.name, AppVersion: meta.appVersion, Version: meta.version },
    Files: { Get: (path) => readFileSync(join(chart, path), "utf8") },
    ...(lookup ? { lookup } : {}),
  };
  return readdirSync(join(chart, "templates"))
    .sort()
    .flatMap((file) => {
      const text = renderTemplate(readFileSync(join(chart, "templates", file), "utf8"), scope);
      return parseAllDocuments(text).map((doc) => {
        if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]?.message}`);
        return doc.toJS();
      });
    })
    .filter((doc) => doc !== null);
}

/** Validates each rendered manifest against the Kubernetes schemas of its kind (throws on the first bad one). */
export function validateAll(docs: Record<string, unknown>[]): string[] {
  return docs.map((doc) => {
    const kind = `${doc.apiVersion} ${doc.kind}`;
    const Model = MODELS[kind];
    if (!Model) throw new Error(`the chart renders ${kind}, which the test cannot validate`);
    new Model(doc as never).validate();
    return kind;
  });
}

/** The first rendered manifest of `kind`. */
export function ofKind(docs: Record<string, unknown>[], kind: string) {
  // biome-ignore lint/suspicious/noExplicitAny: a rendered manifest, read by path
  return docs.find((doc) => doc.kind === kind) as any;
}
