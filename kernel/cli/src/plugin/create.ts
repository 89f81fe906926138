import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { KERNEL_VERSION } from "@buntime/kernel";
import { BuntimeError, packageNameSchema } from "@buntime/sdk";
import semver from "semver";
import { parseCommand, usage } from "../common/args.ts";
import { runCommand } from "../common/output.ts";

/** The `--help` text of `buntime plugin create`. */
export const CREATE_HELP = `Usage: buntime plugin create <name> [--dir <folder>] [--json]

Scaffolds a working plugin in ./<name> (or --dir): package.json with its manifest, src/index.ts,
a passing test with createTestKernel, and a README. Refuses a folder that is not empty.
`;

function files(name: string): Record<string, string> {
  const short = name.replace(/^@[^/]+\//, "");
  const kernelRange = `^${semver.major(KERNEL_VERSION)}.${semver.minor(KERNEL_VERSION)}.0`;
  const packageJson = {
    name,
    version: "0.1.0",
    description: `The ${short} Buntime plugin`,
    type: "module",
    main: "src/index.ts",
    files: ["src", "README.md"],
    keywords: ["buntime-plugin"],
    buntime: { kernel: kernelRange, base: `/${short}` },
    peerDependencies: { "@buntime/sdk": "*" },
    devDependencies: { "@buntime/kernel": "*" },
  };
  return {
    "package.json": `${JSON.stringify(packageJson, null, 2)}\n`,
    "src/index.ts": `/**
 * The ${short} plugin: answers at /${short}.
 */
import { definePlugin } from "@buntime/sdk";

export default definePlugin({
  setup(ctx) {
    // state lives here, in setup's closure: one copy per loaded plugin
    ctx.logger.info("ready");
    return {
      fetch(request, context) {
        return Response.json({ plugin: "${name}", path: context.pathname, method: request.method });
      },
    };
  },
});
`,
    "test/plugin.test.ts": `import { expect, it } from "bun:test";
import { createTestKernel } from "@buntime/kernel/testing";
import packageJson from "../package.json" with { type: "json" };
import plugin from "../src/index.ts";

it("answers at its base", async () => {
  const kernel = await createTestKernel({ plugins: [{ packageJson, plugin }] });
  try {
    const response = await kernel.fetch("/${short}/hello");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ plugin: "${name}", path: "/${short}/hello", method: "GET" });
  } finally {
    await kernel.stop();
  }
});
`,
    "README.md": `# ${name}

A Buntime plugin. It answers \`GET /${short}/*\` with JSON.

\`\`\`sh
bun test                                   # runs test/plugin.test.ts in an in-process kernel
buntime plugin pack                        # writes ${short}-0.1.0.tgz
buntime plugin publish --registry <url>    # publishes it (buntime login first)
buntime plugin install ${name}             # installs it into a home, loads it into a running kernel
\`\`\`
`,
  };
}

/** `buntime plugin create <name>`: scaffolds a plugin package that passes its own test. */
export async function runCreate(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(args, { dir: { type: "string" } });
  return runCommand("plugin create", values, CREATE_HELP, async (out) => {
    const [name] = positionals;
    if (!name) usage("plugin create needs a plugin name, e.g. buntime plugin create hello");
    if (!packageNameSchema.safeParse(name).success)
      usage(`${name} is not an npm package name (lowercase, e.g. hello or @acme/hello)`);
    const dir = resolve(values.dir ?? name.replace(/^@[^/]+\//, ""));
    if (existsSync(dir) && readdirSync(dir).length > 0) {
      throw new BuntimeError("BUNTIME_ERR_CLI_USAGE", { details: `${dir} exists and is not empty` });
    }
    const written = files(name);
    for (const [path, text] of Object.entries(written)) {
      mkdirSync(join(dir, path, ".."), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    out.result(
      { name, dir, files: Object.keys(written).sort() },
      `created ${name} in ${dir}\n  cd ${dir} && bun test && buntime plugin pack`,
    );
    return 0;
  });
}
