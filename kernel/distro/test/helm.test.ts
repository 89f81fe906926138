import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildDistribution, cachedTarballs, lockDistribution, parseManifest } from "@buntime/distro";
import { KERNEL_VERSION } from "@buntime/kernel";
import { type RunningRegistry, startRegistry } from "@buntime/registry-server";
import { createRegistryClient, packPlugin } from "@buntime/supply";
import { Ajv } from "ajv";
import { Deployment } from "kubernetes-models/apps/v1";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import { ConfigMap, Service } from "kubernetes-models/v1";
import { parse, parseAllDocuments } from "yaml";
import { type RenderScope, renderTemplate } from "./helm-render.ts";

const REPO_MODULES = join(import.meta.dir, "..", "..", "..", "node_modules");

/** The Kubernetes models a rendered chart may hold, by apiVersion and kind; each validates against the Kubernetes schemas. */
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  "apps/v1 Deployment": Deployment,
  "v1 Service": Service,
  "v1 ConfigMap": ConfigMap,
  "policy/v1 PodDisruptionBudget": PodDisruptionBudget,
  "autoscaling/v2 HorizontalPodAutoscaler": HorizontalPodAutoscaler,
};

const GREETER = `import { z } from "zod";
export default {
  config: z.object({ greeting: z.string().min(1), times: z.number().int().min(1).default(1) }).strict(),
  setup: () => ({ fetch: () => new Response("hi") }),
};
`;

let dir = "";
let chart = "";
let registry: RunningRegistry;
let derived: Record<string, string> | undefined;

function plugin(name: string, source: string): string {
  const folder = join(dir, "src", name.replace("/", "__"));
  mkdirSync(folder, { recursive: true });
  const pkg = { name, version: "1.0.0", type: "module", main: "index.ts", buntime: { kernel: "*" } };
  writeFileSync(join(folder, "package.json"), JSON.stringify(pkg));
  writeFileSync(join(folder, "index.ts"), source);
  return folder;
}

/** Locks and builds the test distribution with `--helm` into `out`. */
async function build(out: string) {
  const manifestPath = join(dir, "buntime.distro.json");
  const manifest = parseManifest(JSON.parse(readFileSync(manifestPath, "utf8")), manifestPath);
  const client = createRegistryClient({ registry: registry.url });
  const lock = await lockDistribution({ manifest, manifestPath, client, kernelVersion: KERNEL_VERSION });
  return buildDistribution({
    manifest,
    manifestPath,
    lock,
    lockPath: join(dir, "distro.lock.json"),
    out,
    tarballs: cachedTarballs(join(dir, "tarballs"), client),
    builder: "test",
    linkModules: REPO_MODULES,
    docker: { bunVersion: Bun.version },
    helm: true,
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "buntime-helm-"));
  registry = await startRegistry({ port: 0, hostname: "127.0.0.1", storageDir: join(dir, "registry") });
  await registry.publishTarball(packPlugin(plugin("@acme/greeter", GREETER)).tarball);
  await registry.publishTarball(packPlugin(plugin("@acme/broken", 'import "no-such-package";\n')).tarball);
  const manifest = {
    name: "@acme/edge",
    version: "1.2.3",
    registry: registry.url,
    plugins: { "@acme/greeter": { range: "^1", config: { greeting: "hi" } }, "@acme/broken": "^1" },
    pool: { shutdownTimeout: 20_000 },
  };
  writeFileSync(join(dir, "buntime.distro.json"), JSON.stringify(manifest));
  const result = await build(join(dir, "build"));
  derived = result.derivedSchemas;
  chart = join(dir, "build", "helm");
}, 60_000);

afterAll(async () => {
  await registry?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Renders every template for `values` (over the chart's own) and parses the documents, empty ones left out. */
function render(values: Record<string, unknown>): Record<string, unknown>[] {
  const meta = parse(readFileSync(join(chart, "Chart.yaml"), "utf8"));
  const scope: RenderScope = {
    Values: { ...parse(readFileSync(join(chart, "values.yaml"), "utf8")), ...values },
    Release: { Name: "edge" },
    Chart: { Name: meta.name, AppVersion: meta.appVersion, Version: meta.version },
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
function validateAll(docs: Record<string, unknown>[]): string[] {
  return docs.map((doc) => {
    const kind = `${doc.apiVersion} ${doc.kind}`;
    const Model = MODELS[kind];
    if (!Model) throw new Error(`the chart renders ${kind}, which the test cannot validate`);
    new Model(doc as never).validate();
    return kind;
  });
}

function ofKind(docs: Record<string, unknown>[], kind: string) {
  // biome-ignore lint/suspicious/noExplicitAny: a rendered manifest, read by path
  return docs.find((doc) => doc.kind === kind) as any;
}

describe("buntime distro build --helm", () => {
  it("writes Chart.yaml named after the distribution, and the same chart bytes on a rebuild", async () => {
    expect(parse(readFileSync(join(chart, "Chart.yaml"), "utf8"))).toMatchObject({
      apiVersion: "v2",
      name: "acme-edge",
      version: "1.2.3",
      appVersion: "1.2.3",
    });
    await build(join(dir, "again"));
    for (const file of ["Chart.yaml", "values.yaml", "values.schema.json", "templates/deployment.yaml"]) {
      expect(readFileSync(join(dir, "again", "helm", file), "utf8")).toBe(
        readFileSync(join(chart, file), "utf8"),
      );
    }
  }, 60_000);

  it("checks values.yaml against values.schema.json, each plugin's settings by the plugin's own schema", () => {
    const schema = JSON.parse(readFileSync(join(chart, "values.schema.json"), "utf8"));
    const check = new Ajv({ strict: false, allErrors: true }).compile(schema);
    const values = parse(readFileSync(join(chart, "values.yaml"), "utf8"));
    expect(check(values)).toBe(true);
    expect(values.plugins).toEqual({ "@acme/greeter": { greeting: "hi" } });
    expect(values.shutdownTimeout).toBe(20_000);
    const refused = (change: (v: typeof values) => void) => {
      const copy = structuredClone(values);
      change(copy);
      return check(copy) ? "accepted" : JSON.stringify(check.errors);
    };
    // from the plugin's zod schema: a non-empty string, an integer, no unknown key
    expect(refused((v) => (v.plugins["@acme/greeter"].greeting = ""))).toContain("greeting");
    expect(refused((v) => (v.plugins["@acme/greeter"].times = 1.5))).toContain("times");
    expect(refused((v) => (v.plugins["@acme/greeter"].extra = 1))).toContain("additionalProperties");
    expect(refused((v) => (v.plugins["@acme/unknown"] = {}))).toContain("additionalProperties");
    expect(refused((v) => (v.replicaCount = 0))).toContain("replicaCount");
    expect(refused((v) => (v.shutdownTimeout = "10s"))).toContain("shutdownTimeout");
    expect(refused((v) => (v.env = [{ value: "x" }]))).toContain("name");
    expect(refused((v) => (v.env = [{ name: "A B", value: "x" }]))).toContain("pattern");
  });

  it("derives the schema of a plugin whose entry cannot be imported, and says why", () => {
    expect(Object.keys(derived ?? {})).toEqual(["@acme/broken"]);
    expect(derived?.["@acme/broken"]).toContain("no-such-package");
    const schema = JSON.parse(readFileSync(join(chart, "values.schema.json"), "utf8"));
    expect(schema.properties.plugins.properties["@acme/broken"]).toEqual({ type: "object", properties: {} });
  });

  it("renders one replica to valid Kubernetes manifests: live and ready probes, the drain inside the grace period, no PodDisruptionBudget", () => {
    const docs = render({});
    expect(validateAll(docs)).toEqual(["v1 ConfigMap", "apps/v1 Deployment", "v1 Service"]);
    const pod = ofKind(docs, "Deployment").spec.template.spec;
    const [container] = pod.containers;
    for (const probe of [container.startupProbe, container.livenessProbe]) {
      expect(probe.httpGet).toEqual({ path: "/_/api/health/live", port: "http" });
    }
    expect(container.readinessProbe.httpGet).toEqual({ path: "/_/api/health/ready", port: "http" });
    // no cluster values: a single node, no cluster variables
    expect(container.env).toEqual([{ name: "BUNTIME_SHUTDOWN_TIMEOUT", value: "20000" }]);
    // the preStop sleep (5 s), then the drain (20 s), then the margin (5 s)
    expect(container.lifecycle.preStop.exec.command).toEqual(["sleep", "5"]);
    expect(pod.terminationGracePeriodSeconds).toBe(30);
    expect(ofKind(docs, "Deployment").spec.replicas).toBe(1);
    expect(container.image).toBe("acme-edge:1.2.3");
    const settings = JSON.parse(ofKind(docs, "ConfigMap").data["buntime.config.json"]);
    expect(settings).toEqual({ plugins: { "@acme/greeter": { greeting: "hi" } } });
    expect(ofKind(docs, "Service").spec.ports[0]).toMatchObject({ port: 8000, targetPort: "http" });
  });

  it("passes the env values to the container: the apps' declared variables, from a Secret", () => {
    const secret = { secretKeyRef: { name: "shop", key: "stripe-key" } };
    const docs = render({ env: [{ name: "BUNTIME_APP_SHOP_STRIPE_KEY", valueFrom: secret }] });
    expect(validateAll(docs)).toContain("apps/v1 Deployment");
    expect(ofKind(docs, "Deployment").spec.template.spec.containers[0].env).toEqual([
      { name: "BUNTIME_SHUTDOWN_TIMEOUT", value: "20000" },
      { name: "BUNTIME_APP_SHOP_STRIPE_KEY", valueFrom: secret },
    ]);
  });

  it("renders three cluster replicas: node name and cluster URLs from the pod and Secrets, one pod down at a time, spread", () => {
    const values = {
      replicaCount: 3,
      shutdownTimeout: 60_000,
      cluster: {
        postgres: { secretName: "buntime-cluster", secretKey: "postgres-url" },
        redis: { secretName: "buntime-cluster", secretKey: "redis-url" },
        registry: "https://registry.example.com",
      },
    };
    const schema = JSON.parse(readFileSync(join(chart, "values.schema.json"), "utf8"));
    const check = new Ajv({ strict: false, allErrors: true }).compile(schema);
    expect(check({ ...parse(readFileSync(join(chart, "values.yaml"), "utf8")), ...values })).toBe(true);
    const docs = render(values);
    expect(validateAll(docs)).toEqual([
      "v1 ConfigMap",
      "apps/v1 Deployment",
      "policy/v1 PodDisruptionBudget",
      "v1 Service",
    ]);
    expect(ofKind(docs, "PodDisruptionBudget").spec).toMatchObject({ maxUnavailable: 1 });
    const deployment = ofKind(docs, "Deployment");
    expect(deployment.spec.replicas).toBe(3);
    const pod = deployment.spec.template.spec;
    expect(pod.terminationGracePeriodSeconds).toBe(70);
    expect(pod.containers[0].env).toEqual([
      { name: "BUNTIME_SHUTDOWN_TIMEOUT", value: "60000" },
      { name: "BUNTIME_NODE", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
      {
        name: "BUNTIME_CLUSTER_POSTGRES",
        valueFrom: { secretKeyRef: { name: "buntime-cluster", key: "postgres-url" } },
      },
      {
        name: "BUNTIME_CLUSTER_REDIS",
        valueFrom: { secretKeyRef: { name: "buntime-cluster", key: "redis-url" } },
      },
      { name: "BUNTIME_REGISTRY", value: "https://registry.example.com" },
    ]);
    expect(pod.topologySpreadConstraints.map((c: { topologyKey: string }) => c.topologyKey)).toEqual([
      "kubernetes.io/hostname",
      "topology.kubernetes.io/zone",
    ]);
    expect(pod.topologySpreadConstraints[0].labelSelector.matchLabels).toEqual(
      deployment.spec.selector.matchLabels,
    );
    // an inline password is not a value: only a Secret's name and key
    const inline = { ...values, cluster: { ...values.cluster, postgres: "postgres://u:p@db/buntime" } };
    expect(check({ ...parse(readFileSync(join(chart, "values.yaml"), "utf8")), ...inline })).toBe(false);
  });

  it("scales on CPU with autoscaling.enabled: an HPA owns the replicas, the PodDisruptionBudget follows minReplicas", () => {
    const autoscaling = {
      enabled: true,
      minReplicas: 3,
      maxReplicas: 12,
      targetCPUUtilizationPercentage: 70,
    };
    const docs = render({ autoscaling, resources: { requests: { cpu: "500m" } } });
    expect(validateAll(docs)).toContain("autoscaling/v2 HorizontalPodAutoscaler");
    const hpa = ofKind(docs, "HorizontalPodAutoscaler").spec;
    expect(hpa).toMatchObject({ minReplicas: 3, maxReplicas: 12 });
    expect(hpa.scaleTargetRef).toEqual({ apiVersion: "apps/v1", kind: "Deployment", name: "edge" });
    expect(hpa.metrics[0].resource).toEqual({
      name: "cpu",
      target: { type: "Utilization", averageUtilization: 70 },
    });
    expect(ofKind(docs, "Deployment").spec.replicas).toBeUndefined();
    expect(ofKind(docs, "PodDisruptionBudget").spec.maxUnavailable).toBe(1);
    // one replica at least and the HPA off by default: neither an HPA nor a PodDisruptionBudget
    const single = render({ autoscaling: { ...autoscaling, enabled: false } });
    expect(single.map((doc) => doc.kind)).toEqual(["ConfigMap", "Deployment", "Service"]);
  });

  it("has a validator that refuses a bad manifest, and a renderer that refuses what it does not know", () => {
    const docs = render({});
    const deployment = ofKind(docs, "Deployment");
    deployment.spec.template.spec.containers[0].ports[0].containerPort = "http";
    expect(() => validateAll([deployment])).toThrow("containerPort must be integer");
    expect(() =>
      renderTemplate("{{ .Values.missing }}", { Values: {}, Release: { Name: "x" }, Chart: {} }),
    ).toThrow("no value .Values.missing");
    expect(() =>
      renderTemplate('{{ include "x" . }}', { Values: {}, Release: { Name: "x" }, Chart: {} }),
    ).toThrow();
  });
});
