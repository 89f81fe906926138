import { describe, expect, it } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv } from "ajv";
import { built, ofKind, render, useBuiltChart, validateAll, valuesOf } from "./helm-chart.ts";

useBuiltChart();

// The nodes of a cluster read each other's logs and metrics (docs/scale-out.md#logs-and-metrics):
// each needs its address and the shared tokens, which the chart gives every pod.
const CLUSTER = {
  replicaCount: 3,
  cluster: { postgres: { secretName: "buntime-cluster", secretKey: "postgres-url" } },
};
const TOKEN_NAMES = ["logs-token", "scrape-token"];

const decode = (data: string) => Buffer.from(data, "base64").toString("utf8");

function podOf(docs: Record<string, unknown>[]) {
  return ofKind(docs, "Deployment").spec.template.spec;
}

/**
 * Runs the pod's init step as the rendered Deployment says, with its paths moved into a temporary
 * folder: the lock at `lock`, the ConfigMap's files in `chart/`, the settings written to `out/`.
 */
function runInitStep(docs: Record<string, unknown>[], lock: object, env: Record<string, string>) {
  const root = mkdtempSync(join(built.dir, "init-"));
  mkdirSync(join(root, "chart"));
  mkdirSync(join(root, "out"));
  for (const [file, text] of Object.entries(ofKind(docs, "ConfigMap").data as Record<string, string>)) {
    writeFileSync(join(root, "chart", file), text);
  }
  writeFileSync(join(root, "distro.lock.json"), JSON.stringify(lock));
  const [init] = podOf(docs).initContainers;
  const command = (init.command as string[]).map((word) =>
    word
      .replace(/^bun$/, process.execPath)
      .replace("/distro/distro.lock.json", join(root, "distro.lock.json"))
      .replace("/etc/buntime-chart/", `${join(root, "chart")}/`)
      .replace("/etc/buntime/", `${join(root, "out")}/`),
  );
  const run = Bun.spawnSync(command, { env: { PATH: process.env.PATH ?? "", ...env } });
  const written = join(root, "out", "buntime.config.json");
  return {
    code: run.exitCode,
    stderr: run.stderr.toString(),
    settings: existsSync(written) ? JSON.parse(readFileSync(written, "utf8")) : undefined,
    mode: existsSync(written) ? statSync(written).mode & 0o777 : undefined,
  };
}

describe("the chart's cluster nodes: addresses and shared tokens", () => {
  it("gives each node its pod IP as address and both tokens from a Secret it makes, never from the values", () => {
    const docs = render(CLUSTER);
    expect(validateAll(docs)).toContain("v1 Secret");
    const secret = ofKind(docs, "Secret");
    expect(secret.metadata.name).toBe("edge-peer-tokens");
    expect(Object.keys(secret.data).sort()).toEqual(TOKEN_NAMES);
    const tokens = TOKEN_NAMES.map((key) => decode(secret.data[key]));
    for (const token of tokens) expect(token).toMatch(/^[A-Za-z0-9]{64}$/);
    expect(tokens[0]).not.toBe(tokens[1]);
    // a fresh install (nothing to look up) makes new ones
    expect(ofKind(render(CLUSTER), "Secret").data["logs-token"]).not.toBe(secret.data["logs-token"]);

    const pod = podOf(docs);
    const [kernel] = pod.containers;
    expect(kernel.env).toContainEqual({
      name: "POD_IP",
      valueFrom: { fieldRef: { fieldPath: "status.podIP" } },
    });
    expect(kernel.env).toContainEqual({ name: "BUNTIME_NODE_ADDRESS", value: "http://$(POD_IP):8000" });
    const names = kernel.env.map((variable: { name: string }) => variable.name);
    expect(names.indexOf("POD_IP")).toBeLessThan(names.indexOf("BUNTIME_NODE_ADDRESS")); // $(POD_IP) needs it first
    expect(kernel.ports[0].containerPort).toBe(8000);

    const [init] = pod.initContainers;
    expect(init.image).toBe(kernel.image);
    expect(init.env).toEqual([
      {
        name: "BUNTIME_LOGS_CLUSTER_TOKEN",
        valueFrom: { secretKeyRef: { name: "edge-peer-tokens", key: "logs-token" } },
      },
      {
        name: "BUNTIME_METRICS_SCRAPE_TOKEN",
        valueFrom: { secretKeyRef: { name: "edge-peer-tokens", key: "scrape-token" } },
      },
    ]);
    // the kernel reads the settings the init step wrote, from memory, not the ConfigMap
    expect(kernel.args).toEqual(["--config", "/etc/buntime/buntime.config.json"]);
    expect(kernel.volumeMounts).toEqual([{ name: "settings", mountPath: "/etc/buntime", readOnly: true }]);
    expect(pod.volumes).toEqual([
      { name: "chart-settings", configMap: { name: "edge-settings" } },
      { name: "settings", emptyDir: { medium: "Memory", sizeLimit: "1Mi" } },
    ]);
    const rendered = JSON.stringify(docs.filter((doc) => doc.kind !== "Secret"));
    for (const token of tokens) expect(rendered).not.toContain(token);
  });

  it("keeps the tokens of the Secret the cluster holds at an upgrade", () => {
    const held = { "logs-token": btoa("l".repeat(64)), "scrape-token": btoa("s".repeat(64)) };
    const asked: string[][] = [];
    const docs = render(CLUSTER, (...args) => {
      asked.push(args);
      return args.join(" ") === "v1 Secret shop edge-peer-tokens" ? { data: held } : undefined;
    });
    expect(asked).toEqual([["v1", "Secret", "shop", "edge-peer-tokens"]]);
    expect(ofKind(docs, "Secret").data).toEqual(held);
  });

  it("reads the tokens from an existing Secret's keys, and makes none, when peerTokens.secretName names one", () => {
    const values = {
      ...CLUSTER,
      cluster: {
        ...CLUSTER.cluster,
        peerTokens: { secretName: "edge-tokens", logsKey: "logs", scrapeKey: "metrics" },
      },
    };
    const schema = JSON.parse(readFileSync(join(built.chart, "values.schema.json"), "utf8"));
    const check = new Ajv({ strict: false, allErrors: true }).compile(schema);
    expect(check(valuesOf(values))).toBe(true);
    const docs = render(values);
    expect(validateAll(docs)).not.toContain("v1 Secret");
    expect(podOf(docs).initContainers[0].env.map((v: { valueFrom: unknown }) => v.valueFrom)).toEqual([
      { secretKeyRef: { name: "edge-tokens", key: "logs" } },
      { secretKeyRef: { name: "edge-tokens", key: "metrics" } },
    ]);
    // a token is no value: only where it is
    const inline = { cluster: { peerTokens: { secretName: "", token: "t".repeat(64) } } };
    expect(check(valuesOf(inline))).toBe(false);
    expect(JSON.stringify(check.errors)).toContain("additionalProperties");
    expect(check(valuesOf({ cluster: { peerTokens: { secretName: "Edge_Tokens" } } }))).toBe(false);
  });

  it("sets no address, no tokens and no init step on a single kernel", () => {
    const docs = render({});
    const pod = podOf(docs);
    expect(pod.initContainers).toBeUndefined();
    expect(pod.volumes).toEqual([{ name: "settings", configMap: { name: "edge-settings" } }]);
    expect(Object.keys(ofKind(docs, "ConfigMap").data)).toEqual(["buntime.config.json"]);
    expect(docs.map((doc) => doc.kind)).not.toContain("Secret");
  });

  it("writes the tokens into the settings of the logs and metrics plugins the distribution locks, the rest kept", () => {
    const docs = render(CLUSTER);
    const secret = ofKind(docs, "Secret").data;
    const env = {
      BUNTIME_LOGS_CLUSTER_TOKEN: decode(secret["logs-token"]),
      BUNTIME_METRICS_SCRAPE_TOKEN: decode(secret["scrape-token"]),
    };
    // the test distribution locks neither: its settings pass as they are
    const lock = JSON.parse(readFileSync(join(built.dir, "build", "distro.lock.json"), "utf8"));
    const plain = runInitStep(docs, lock, env);
    expect(plain).toMatchObject({ code: 0, settings: { plugins: { "@acme/greeter": { greeting: "hi" } } } });

    // with both locked, and the logs plugin's wait set in the values (kept beside the token)
    const both = { plugins: { "@buntime/plugin-logs": {}, "@buntime/plugin-metrics": {}, ...lock.plugins } };
    const withLogs = render({
      ...CLUSTER,
      plugins: { "@buntime/plugin-logs": { cluster: { timeout: 5000 } } },
    });
    const run = runInitStep(withLogs, both, env);
    expect(run.code).toBe(0);
    expect(run.settings.plugins).toEqual({
      "@acme/greeter": { greeting: "hi" },
      "@buntime/plugin-logs": { cluster: { timeout: 5000, token: env.BUNTIME_LOGS_CLUSTER_TOKEN } },
      "@buntime/plugin-metrics": { scrapeToken: env.BUNTIME_METRICS_SCRAPE_TOKEN },
    });
    expect(run.mode).toBe(0o600);
  });

  it("stops the pod before the kernel starts when a token is missing or short, naming the variable", () => {
    const docs = render(CLUSTER);
    const lock = { plugins: { "@buntime/plugin-logs": {}, "@buntime/plugin-metrics": {} } };
    const short = runInitStep(docs, lock, {
      BUNTIME_LOGS_CLUSTER_TOKEN: "short",
      BUNTIME_METRICS_SCRAPE_TOKEN: "s".repeat(64),
    });
    expect(short.code).toBe(1);
    expect(short.stderr).toContain("BUNTIME_LOGS_CLUSTER_TOKEN must hold the @buntime/plugin-logs token");
    expect(short.settings).toBeUndefined();
    const missing = runInitStep(docs, lock, { BUNTIME_LOGS_CLUSTER_TOKEN: "l".repeat(64) });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("BUNTIME_METRICS_SCRAPE_TOKEN");
    expect(missing.settings).toBeUndefined();
  });
});
