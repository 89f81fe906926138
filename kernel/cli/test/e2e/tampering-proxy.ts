/**
 * A man in the middle between the CLI and a live registry, for the e2e failure tests: it
 * forwards every request and, per mode, rewrites packuments and tarballs the way an attacker
 * or a broken mirror would.
 */
import { integrityOf } from "@buntime/supply";

/**
 * How the proxy tampers: not at all, flipping tarball bytes, serving an older tarball as a newer
 * version, serving a crafted tarball, or advertising another buntime manifest in the packument
 * than the tarball holds.
 */
export type TamperMode =
  | { kind: "none" }
  | { kind: "corrupt-tarball" }
  | { kind: "replay-older"; name: string; newer: string; older: string }
  | { kind: "crafted"; name: string; version: string; tarball: Uint8Array }
  | { kind: "advertise"; name: string; version: string; buntime: Record<string, unknown> };

/** Starts a proxy to `registry` on a free loopback port; set `state.mode` to tamper, `stop()` when done. */
export function tamperingProxy(registry: string) {
  const state: { mode: TamperMode } = { mode: { kind: "none" } };
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      const url = new URL(request.url);
      const self = `${url.origin}/`;
      const mode = state.mode;
      if (mode.kind === "crafted" && url.pathname === "/crafted.tgz")
        return new Response(mode.tarball as Uint8Array<ArrayBuffer>);
      const upstream = await fetch(new URL(url.pathname + url.search, registry), {
        method: request.method,
        headers: request.headers,
        body: request.method === "GET" || request.method === "HEAD" ? undefined : await request.arrayBuffer(),
      });
      const type = upstream.headers.get("content-type") ?? "";
      if (url.pathname.endsWith(".tgz")) {
        const bytes = new Uint8Array(await upstream.arrayBuffer());
        if (mode.kind === "corrupt-tarball")
          bytes[bytes.length - 10] = (bytes[bytes.length - 10] ?? 0) ^ 0xff;
        return new Response(bytes, { status: upstream.status });
      }
      if (!type.includes("json")) return upstream;
      const text = (await upstream.text()).replaceAll(registry, self);
      const body = JSON.parse(text);
      if (mode.kind === "replay-older" && body.name === mode.name && body.versions) {
        const older = body.versions[mode.older].dist;
        body.versions[mode.newer].dist = {
          ...body.versions[mode.newer].dist,
          tarball: older.tarball,
          integrity: older.integrity,
        };
      }
      if (mode.kind === "crafted" && body.name === mode.name && body.versions?.[mode.version]) {
        body.versions[mode.version].dist = {
          tarball: `${self}crafted.tgz`,
          integrity: integrityOf(mode.tarball),
          signatures: [],
        };
      }
      if (mode.kind === "advertise" && body.name === mode.name && body.versions?.[mode.version]) {
        body.versions[mode.version].buntime = mode.buntime;
      }
      return Response.json(body, { status: upstream.status });
    },
  });
  return { url: `http://127.0.0.1:${server.port}/`, state, stop: () => server.stop(true) };
}
