import { BuntimeError } from "@buntime/sdk";
import { runCommand } from "./common/output.ts";

/** The `--help` text of `buntime registry`. */
export const REGISTRY_HELP = `Usage: buntime registry start [--config FILE] [--port 4873] [--host 127.0.0.1] [--storage DIR]
                             [--postgres URL] [--s3-bucket NAME --s3-endpoint URL --s3-region REGION]
                             [--public-url URL] [--signing-key FILE] [--sign-up open|closed]
                             [--anonymous-read true|false] [--uplink URL]... [--uplink-max-age SECONDS]
                             [--uplink-cache DIR] [--advisories FILE]

Runs a Buntime plugin registry (see docs/registry.md) until SIGINT or SIGTERM. Every flag is also
a BUNTIME_REGISTRY_* variable (--sign-up is BUNTIME_REGISTRY_SIGN_UP, --uplink is
BUNTIME_REGISTRY_UPLINKS, comma-separated) and a field of the --config file (JSON, schema in
registry-server/registry-settings.schema.json); flags win over variables, variables over the file.
Sign-up is open by default only on a loopback --host. Its signing key is --signing-key (a 0600 PEM
file), else DIR/signing/registry-key.pem, created on first start.
`;

const OWN_FLAGS = new Set(["--json", "--help", "-h"]);

/**
 * `buntime registry start`: loads the registry server only when asked, so the kernel never does.
 * Every flag but `--json` and `--help` goes to the registry, which checks and names bad ones.
 */
export async function runRegistry(args: string[]): Promise<number> {
  const flags = { json: args.includes("--json"), help: args.includes("--help") || args.includes("-h") };
  return runCommand("registry", flags, REGISTRY_HELP, async (out) => {
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
    const registry = await runRegistryCommand(args.filter((arg) => !OWN_FLAGS.has(arg)));
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
