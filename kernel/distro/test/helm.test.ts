import { describe, expect, it } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv } from "ajv";
import { parse } from "yaml";
import { build, built, ofKind, render, useBuiltChart, validateAll, valuesOf } from "./helm-chart.ts";
import { renderTemplate } from "./helm-render.ts";

useBuiltChart();

describe("buntime distro build --helm", () => {
  it("writes Chart.yaml named after the distribution, and the same chart bytes on a rebuild", async () => {
    expect(parse(readFileSync(join(built.chart, "Chart.yaml"), "utf8"))).toMatchObject({
      apiVersion: "v2",
      name: "acme-edge",
      version: "1.2.3",
      appVersion: "1.2.3",
    });
    await build(join(built.dir, "again"));
    for (const file of ["Chart.yaml", "values.yaml", "values.schema.json", "templates/deployment.yaml"]) {
      expect(readFileSync(join(built.dir, "again", "helm", file), "utf8")).toBe(
        readFileSync(join(built.chart, file), "utf8"),
      );
    }
  }, 60_000);

  it("checks values.yaml against values.schema.json, each plugin's settings by the plugin's own schema", () => {
    const schema = JSON.parse(readFileSync(join(built.chart, "values.schema.json"), "utf8"));
    const check = new Ajv({ strict: false, allErrors: true }).compile(schema);
    const values = parse(readFileSync(join(built.chart, "values.yaml"), "utf8"));
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
    expect(Object.keys(built.derived ?? {})).toEqual(["@acme/broken"]);
    expect(built.derived?.["@acme/broken"]).toContain("no-such-package");
    const schema = JSON.parse(readFileSync(join(built.chart, "values.schema.json"), "utf8"));
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
    const schema = JSON.parse(readFileSync(join(built.chart, "values.schema.json"), "utf8"));
    const check = new Ajv({ strict: false, allErrors: true }).compile(schema);
    expect(check(valuesOf(values))).toBe(true);
    const docs = render(values);
    expect(validateAll(docs)).toEqual([
      "v1 ConfigMap",
      "apps/v1 Deployment",
      "policy/v1 PodDisruptionBudget",
      "v1 Secret",
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
      { name: "POD_IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
      { name: "BUNTIME_NODE_ADDRESS", value: "http://$(POD_IP):8000" },
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
    expect(check(valuesOf(inline))).toBe(false);
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
