import { BuntimeError } from "@buntime/sdk";
import { parseCommand } from "./common/args.ts";
import { runCommand } from "./common/output.ts";

/** The `--help` text of `buntime registry`. */
export const REGISTRY_HELP = `Usage: buntime registry start [--port 4873] [--host 127.0.0.1] [--storage DIR] [--public-url URL]
                             [--signing-key FILE]

Runs a Buntime plugin registry (see docs/registry.md) until SIGINT or SIGTERM. Its signing key
is --signing-key (a 0600 PEM file), else DIR/signing/registry-key.pem, created on first start.
`;

/** `buntime registry start`: loads the registry server only when asked, so the kernel never does. */
export async function runRegistry(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(args, {
    port: { type: "string" },
    host: { type: "string" },
    storage: { type: "string" },
    "public-url": { type: "string" },
    "signing-key": { type: "string" },
  });
  return runCommand("registry", values, REGISTRY_HELP, async (out) => {
    const { runRegistryCommand } = await import("@buntime/registry-server").catch((error) => {
      throw new BuntimeError(
        "BUNTIME_ERR_CLI_USAGE",
        {
          details:
            "buntime registry needs the @buntime/registry-server package (npm install @buntime/registry-server)",
        },
        { cause: error },
      );
    });
    const forwarded = Object.entries(values)
      .filter(([key, value]) => typeof value === "string" && key !== "json")
      .flatMap(([key, value]) => [`--${key}`, value as string]);
    const registry = await runRegistryCommand([...positionals, ...forwarded]);
    out.result({ url: registry.url }, `buntime registry listening on ${registry.url}`);
    const stopped = Promise.withResolvers<number>();
    const stop = () =>
      registry.stop().then(
        () => stopped.resolve(0),
        () => stopped.resolve(1),
      );
    process.once("SIGTERM", stop);
    process.once("SIGINT", stop);
    return stopped.promise;
  });
}
