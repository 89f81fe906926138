import type { DistroLock } from "../lock/schema.ts";

/** A CycloneDX 1.5 SBOM of a lock's plugins and registry apps, each with its sha512; no timestamp, so it is reproducible. */
export function sbomOf(lock: DistroLock, builder: string): string {
  const packages = [
    ...Object.entries(lock.plugins),
    ...Object.values(lock.apps ?? {}).map((app) => [app.package, app] as const),
  ];
  const components = packages.map(([name, plugin]) => {
    const slash = name.indexOf("/");
    const [group, short] = name.startsWith("@")
      ? [name.slice(0, slash), name.slice(slash + 1)]
      : [undefined, name];
    return {
      type: "library",
      ...(group ? { group } : {}),
      name: short,
      version: plugin.version,
      purl: `pkg:npm/${group ? `${encodeURIComponent(group)}/` : ""}${short}@${plugin.version}`,
      hashes: [
        {
          alg: "SHA-512",
          content: Buffer.from(plugin.integrity.slice("sha512-".length), "base64").toString("hex"),
        },
      ],
      properties: [{ name: "buntime:integrity", value: plugin.integrity }],
    };
  });
  const bom = {
    bomFormat: "CycloneDX",
    specVersion: "1.5",
    version: 1,
    metadata: {
      tools: { components: [{ type: "application", name: builder }] },
      component: { type: "application", name: lock.name, version: lock.version },
    },
    components,
  };
  return `${JSON.stringify(bom, null, 2)}\n`;
}

/** The image (and chart) name of a distribution: `@acme/edge` → `acme-edge`. */
export function imageNameOf(name: string): string {
  return name.replace(/^@/, "").replace("/", "-");
}

/**
 * A Dockerfile for a built distribution with a runner: Bun's image of this Bun's version, the
 * folder copied in and owned by the unprivileged `bun` user, the kernel on 0.0.0.0:8000, a
 * health check on `/_/api/health`, and `./start` (which verifies every plugin file first).
 */
export function dockerfileOf(lock: DistroLock, bunVersion: string): string {
  return `# Made by buntime distro build --docker for ${lock.name}@${lock.version}.
#   docker build -t ${imageNameOf(lock.name)}:${lock.version} .
# sbom.cdx.json (CycloneDX) lists every plugin with its sha512.
FROM oven/bun:${bunVersion}-slim
WORKDIR /distro
COPY --chown=bun:bun . .
USER bun
ENV BUNTIME_HOSTNAME=0.0.0.0
EXPOSE 8000
LABEL org.opencontainers.image.title="${lock.name}" org.opencontainers.image.version="${lock.version}"
HEALTHCHECK CMD ["bun", "-e", "fetch('http://127.0.0.1:8000/_/api/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["./start"]
`;
}
