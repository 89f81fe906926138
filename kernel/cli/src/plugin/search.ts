import { KERNEL_VERSION } from "@buntime/kernel";
import { HOME_OPTIONS, parseCommand } from "../common/args.ts";
import { cliContext } from "../common/context.ts";
import { runCommand } from "../common/output.ts";

/** The `--help` text of `buntime plugin search`. */
export const SEARCH_HELP = `Usage: buntime plugin search [words] [--all] [--registry <url>] [--json]

Searches the registry's marketplace for plugins supporting this kernel (--all: any kernel).
`;

/** `buntime plugin search <words>`. */
export async function runSearch(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(args, {
    registry: HOME_OPTIONS.registry,
    all: { type: "boolean" },
  });
  return runCommand("plugin search", values, SEARCH_HELP, async (out) => {
    const context = cliContext(values);
    const text = positionals.join(" ");
    const plugins = await context.client.search(text, {
      kernel: values.all ? undefined : KERNEL_VERSION,
      limit: 50,
    });
    out.result(
      { query: text, plugins },
      plugins.length
        ? plugins.map((p) => `${p.name}@${p.version}  ${p.description ?? ""}`.trimEnd()).join("\n")
        : `no plugins match "${text}"`,
    );
    return 0;
  });
}
