/** The values of a distribution's Helm chart, and their JSON Schema (`values.schema.json`). */
import { kernelConfigSchema } from "@buntime/kernel";
import type { JsonSchema } from "@buntime/sdk";
import type { DistroLock } from "../../lock/schema.ts";
import { type DistroManifest, pluginConfig } from "../../manifest.ts";

/** What each top-level value means, written above it in `values.yaml`. */
export const VALUE_COMMENTS: Record<string, string> = {
  replicaCount:
    " Pods to run (unless autoscaling.enabled); above 1, a PodDisruptionBudget lets one go at a time.\n Several replicas share one desired state: set cluster.postgres (docs/scale-out.md).",
  cluster:
    " Run each pod as a cluster node (docs/scale-out.md), named after its pod: the PostgreSQL URL of the\n desired state (BUNTIME_CLUSTER_POSTGRES) and optionally a Redis URL for hints (BUNTIME_CLUSTER_REDIS),\n each from a key of a Secret; registry (BUNTIME_REGISTRY) serves the plugins installed beyond the build.\n Each node records http://<pod IP>:8000 as its address (BUNTIME_NODE_ADDRESS) and gets the nodes' shared\n tokens (the logs plugin's cluster.token, the metrics plugin's scrapeToken) from peerTokens: the keys\n logsKey and scrapeKey of the Secret secretName, or, with secretName empty, of <release>-peer-tokens,\n which the chart makes (random) and keeps across upgrades.",
  autoscaling:
    " A HorizontalPodAutoscaler on CPU (autoscaling/v2) between minReplicas and maxReplicas; replicaCount\n is then unused. Needs resources.requests.cpu.",
  preStopSleepSeconds:
    " Seconds a stopping pod keeps serving before SIGTERM, while the Service stops routing to it.",
  topologySpread:
    " The replicas are spread across nodes and zones: ScheduleAnyway (a preference) or DoNotSchedule.",
  image:
    " The image buntime distro build --docker made of this build (docker build -t <repository>:<tag> <build>).",
  service: " The Service in front of the pods (the kernel listens on 8000).",
  shutdownTimeout:
    " Milliseconds the kernel drains requests in flight after SIGTERM (BUNTIME_SHUTDOWN_TIMEOUT);\n the pod's terminationGracePeriodSeconds is this in seconds plus drainMarginSeconds\n and preStopSleepSeconds.",
  drainMarginSeconds: " Seconds Kubernetes waits past the drain before it kills the pod.",
  podDisruptionBudget: " Used only with more than one replica (replicaCount, or autoscaling.minReplicas).",
  resources: " The container's requests and limits.",
  env: " More variables for the kernel's container (Kubernetes EnvVar objects): the values of the\n apps' declared env as BUNTIME_APP_<APP>_<NAME>, best from a Secret, e.g.\n - name: BUNTIME_APP_SHOP_STRIPE_KEY\n   valueFrom: { secretKeyRef: { name: shop, key: stripe-key } }",
  plugins:
    " Each plugin's settings (over the distribution's own, key by key), checked by values.schema.json.",
};

/** The chart's default values: one replica of the image `<repository>:<version>`, the manifest's drain and settings. */
export function chartValues(lock: DistroLock, manifest: DistroManifest, repository: string) {
  const plugins = Object.fromEntries(
    Object.entries(manifest.plugins).flatMap(([name, entry]) => {
      const config = pluginConfig(entry);
      return config ? [[name, config]] : [];
    }),
  );
  return {
    replicaCount: 1,
    cluster: {
      postgres: { secretName: "", secretKey: "url" },
      redis: { secretName: "", secretKey: "url" },
      registry: "",
      peerTokens: { secretName: "", logsKey: "logs-token", scrapeKey: "scrape-token" },
    },
    autoscaling: { enabled: false, minReplicas: 2, maxReplicas: 10, targetCPUUtilizationPercentage: 80 },
    image: { repository, tag: lock.version, pullPolicy: "IfNotPresent" },
    service: { type: "ClusterIP", port: 8000 },
    shutdownTimeout:
      manifest.pool?.shutdownTimeout ?? kernelConfigSchema.shape.shutdownTimeout.parse(undefined),
    drainMarginSeconds: 5,
    preStopSleepSeconds: 5,
    podDisruptionBudget: { maxUnavailable: 1 },
    topologySpread: { whenUnsatisfiable: "ScheduleAnyway" },
    resources: {},
    env: [],
    plugins,
  };
}

const closed = (properties: Record<string, JsonSchema>, required = Object.keys(properties)): JsonSchema => ({
  type: "object",
  additionalProperties: false,
  required,
  properties,
});

/** A Secret's name (empty: not used), a DNS subdomain; and the name of a key in it. */
const secretName: JsonSchema = { type: "string", pattern: "^$|^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$" };
const secretKey: JsonSchema = { type: "string", pattern: "^[-._a-zA-Z0-9]+$" };

/** A key of a Secret (empty secretName: not used). */
const secretRef = closed({ secretName, secretKey });

/** `values.schema.json` (draft-07, as Helm checks it): every value, and each locked plugin's settings by its own schema. */
export function valuesSchema(pluginSchemas: Record<string, JsonSchema>): JsonSchema {
  return {
    $schema: "http://json-schema.org/draft-07/schema#",
    title: "values of a Buntime distribution's chart",
    ...closed({
      replicaCount: { type: "integer", minimum: 1 },
      cluster: closed({
        postgres: secretRef,
        redis: secretRef,
        registry: { type: "string", pattern: "^$|^https?://" },
        // the tokens themselves are never values: only where they are
        peerTokens: closed({ secretName, logsKey: secretKey, scrapeKey: secretKey }),
      }),
      autoscaling: closed({
        enabled: { type: "boolean" },
        minReplicas: { type: "integer", minimum: 1 },
        maxReplicas: { type: "integer", minimum: 1 },
        targetCPUUtilizationPercentage: { type: "integer", minimum: 1, maximum: 100 },
      }),
      image: closed({
        repository: { type: "string", minLength: 1 },
        tag: { type: "string", minLength: 1 },
        pullPolicy: { enum: ["Always", "IfNotPresent", "Never"] },
      }),
      service: closed({
        type: { enum: ["ClusterIP", "NodePort", "LoadBalancer"] },
        port: { type: "integer", minimum: 1, maximum: 65535 },
      }),
      shutdownTimeout: { type: "integer", minimum: 1 },
      drainMarginSeconds: { type: "integer", minimum: 0 },
      preStopSleepSeconds: { type: "integer", minimum: 0 },
      podDisruptionBudget: closed({ maxUnavailable: { type: "integer", minimum: 1 } }),
      topologySpread: closed({ whenUnsatisfiable: { enum: ["ScheduleAnyway", "DoNotSchedule"] } }),
      resources: {
        type: "object",
        additionalProperties: false,
        properties: { requests: { type: "object" }, limits: { type: "object" } },
      },
      env: {
        type: "array",
        items: {
          type: "object",
          additionalProperties: false,
          required: ["name"],
          properties: {
            name: { type: "string", pattern: "^[A-Za-z_][A-Za-z0-9_]*$" },
            value: { type: "string" },
            valueFrom: { type: "object" },
          },
        },
      },
      plugins: closed(pluginSchemas, []),
    }),
  };
}
