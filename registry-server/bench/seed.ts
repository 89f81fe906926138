import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import { writeTar } from "@buntime/supply";

/** The bench's package set: `plugins` plugins with `versions` versions each. */
export function benchPackages(plugins = 50, versions = 5): { name: string; version: string }[] {
  const out: { name: string; version: string }[] = [];
  for (let p = 0; p < plugins; p++) {
    for (let v = 0; v < versions; v++) out.push({ name: `bench-plugin-${p}`, version: `1.${v}.0` });
  }
  return out;
}

/** A small but real npm tarball (package.json, README, index.js of ~4 KiB). */
export function benchTarball(name: string, version: string): Uint8Array {
  const files: [string, string][] = [
    [
      "package/package.json",
      JSON.stringify({
        name,
        version,
        description: `bench plugin ${name}`,
        main: "index.js",
        keywords: ["bench"],
        buntime: { kernel: "^0.1.0", base: `/${name}` },
      }),
    ],
    ["package/README.md", `# ${name}\n\n${"Lorem ipsum dolor sit amet. ".repeat(40)}\n`],
    ["package/index.js", `export default { name: ${JSON.stringify(name)} };\n${"// filler\n".repeat(300)}`],
  ];
  const enc = new TextEncoder();
  return gzipSync(
    writeTar(files.map(([path, content]) => ({ path, data: enc.encode(content), mode: 0o644 }))),
  );
}

/** Signs up `user` on a registry (npm's CouchDB-style PUT) and returns its token. */
export async function benchLogin(registry: string, user: string, password: string): Promise<string> {
  const res = await fetch(`${registry}-/user/org.couchdb.user:${user}`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      _id: `org.couchdb.user:${user}`,
      name: user,
      password,
      email: `${user}@example.com`,
      type: "user",
      roles: [],
    }),
  });
  const body = (await res.json()) as { token?: string };
  if (!body.token) throw new Error(`login on ${registry} failed: ${res.status} ${JSON.stringify(body)}`);
  return body.token;
}

/** Publishes every package of the set the way `npm publish` does, a few at a time. */
export async function seedRegistry(
  registry: string,
  token: string,
  plugins = 50,
  versions = 5,
): Promise<void> {
  const queue = benchPackages(plugins, versions);
  const publishOne = async ({ name, version }: { name: string; version: string }) => {
    const tarball = benchTarball(name, version);
    const integrity = `sha512-${createHash("sha512").update(tarball).digest("base64")}`;
    const shasum = createHash("sha1").update(tarball).digest("hex");
    const file = `${name}-${version}.tgz`;
    const res = await fetch(`${registry}${name}`, {
      method: "PUT",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({
        _id: name,
        name,
        "dist-tags": { latest: version },
        versions: {
          [version]: {
            name,
            version,
            _id: `${name}@${version}`,
            description: `bench plugin ${name}`,
            main: "index.js",
            buntime: { kernel: "^0.1.0", base: `/${name}` },
            dist: { integrity, shasum, tarball: `${registry}${name}/-/${file}` },
          },
        },
        _attachments: {
          [file]: {
            content_type: "application/octet-stream",
            data: Buffer.from(tarball).toString("base64"),
            length: tarball.length,
          },
        },
      }),
    });
    if (res.status >= 300)
      throw new Error(`publish ${name}@${version} failed: ${res.status} ${await res.text()}`);
  };
  // Versions of one package in order (so latest ends on the last), packages in parallel.
  const byPackage = new Map<string, { name: string; version: string }[]>();
  for (const item of queue) byPackage.set(item.name, [...(byPackage.get(item.name) ?? []), item]);
  const lanes = [...byPackage.values()];
  for (let i = 0; i < lanes.length; i += 8) {
    await Promise.all(
      lanes.slice(i, i + 8).map(async (lane) => {
        for (const item of lane) await publishOne(item);
      }),
    );
  }
}
