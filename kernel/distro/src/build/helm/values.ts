/** The values of a distribution's Helm chart, and their JSON Schema (`values.schema.json`). */
import { kernelConfigSchema } from "@buntime/kernel";
import type { DistroLock } from "../../lock/schema.ts";
import { type DistroManifest, pluginConfig } from "../../manifest.ts";
import type { JsonSchema } from "./config-schemas.ts";

/** What each top-level value means, written above it in `values.yaml`. */
export const VALUE_COMMENTS: Record<string, string> = {
  replicaCount:
    " Pods to run; above 1, a PodDisruptionBudget keeps podDisruptionBudget.minAvailable of them up.",
  image:
    " The image buntime distro build --docker made of this build (docker build -t <repository>:<tag> <build>).",
  service: " The Service in front of the pods (the kernel listens on 8000).",
  shutdownTimeout:
    " Milliseconds the kernel drains requests in flight after SIGTERM (BUNTIME_SHUTDOWN_TIMEOUT);\n the pod's terminationGracePeriodSeconds is this in seconds plus drainMarginSeconds.",
  drainMarginSeconds: " Seconds Kubernetes waits past the drain before it kills the pod.",
  podDisruptionBudget: " Used only when replicaCount > 1.",
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
    image: { repository, tag: lock.version, pullPolicy: "IfNotPresent" },
    service: { type: "ClusterIP", port: 8000 },
    shutdownTimeout:
      manifest.pool?.shutdownTimeout ?? kernelConfigSchema.shape.shutdownTimeout.parse(undefined),
    drainMarginSeconds: 5,
    podDisruptionBudget: { minAvailable: 1 },
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

/** `values.schema.json` (draft-07, as Helm checks it): every value, and each locked plugin's settings by its own schema. */
export function valuesSchema(pluginSchemas: Record<string, JsonSchema>): JsonSchema {
  return {
    $schema: "http://json-schema.org/draft-07/schema#",
    title: "values of a Buntime distribution's chart",
    ...closed({
      replicaCount: { type: "integer", minimum: 1 },
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
      podDisruptionBudget: closed({ minAvailable: { type: "integer", minimum: 0 } }),
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
