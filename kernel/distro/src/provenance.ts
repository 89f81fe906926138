import type { InlinePlugin } from "@buntime/kernel";
import { definePlugin } from "@buntime/sdk";

/** The name of the inline plugin that serves a distribution's provenance. */
export const PROVENANCE_PLUGIN = "@buntime/provenance";

/** Where a running distribution tells what it is. */
export const PROVENANCE_PATH = "/.well-known/buntime";

/**
 * A plugin, passed to the kernel in code, that answers `GET /.well-known/buntime` with a built
 * distribution's provenance (`build.json`: name, version, manifest and lock hashes, kernel,
 * builder), so anyone can ask a running kernel which build it is.
 */
export function provenancePlugin(provenance: Record<string, unknown>): InlinePlugin {
  const body = JSON.stringify(provenance);
  return {
    packageJson: {
      name: PROVENANCE_PLUGIN,
      version: "1.0.0",
      buntime: { kernel: "*", base: PROVENANCE_PATH },
    },
    plugin: definePlugin({
      setup: () => ({
        fetch: (request: Request) =>
          request.method === "GET" || request.method === "HEAD"
            ? new Response(body, { headers: { "content-type": "application/json" } })
            : new Response(null, { status: 405, headers: { allow: "GET, HEAD" } }),
      }),
    }),
  };
}
