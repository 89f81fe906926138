import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { KERNEL_VERSION } from "@buntime/kernel";
import { BuntimeError, LENT_PACKAGES, packageNameSchema } from "@buntime/sdk";
import { tarballFilename } from "@buntime/supply";
import semver from "semver";
import { HOME_OPTIONS, parseCommand, usage } from "../common/args.ts";
import { registryOf } from "../common/context.ts";
import { runCommand } from "../common/output.ts";
import { readSettings, settingsDir } from "../common/settings.ts";

/** The `--help` text of `buntime plugin create`. */
export const CREATE_HELP = `Usage: buntime plugin create <name> [--dir <folder>] [--registry <url>] [--json]

Scaffolds a working plugin in ./<name> (or --dir): package.json with its manifest, src/index.ts,
a passing test with createTestKernel, an .npmrc that takes @buntime/* from the registry, and a
README whose commands (npm install, npm test, pack, login, publish) work as written. Refuses a
folder that is not empty.

Options:
  --registry <url>   registry holding @buntime/sdk and @buntime/kernel (default: BUNTIME_REGISTRY,
                     the CLI settings, http://127.0.0.1:4873/)
`;

function files(name: string, registry: string): Record<string, string> {
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
    scripts: { test: "bun test" },
    peerDependencies: { "@buntime/sdk": "*" },
    // bun from npm: `npm test` runs the tests on a machine that has only Node
    devDependencies: { "@buntime/kernel": "*", "@buntime/sdk": "*", bun: `^${Bun.version}` },
  };
  return {
    "package.json": `${JSON.stringify(packageJson, null, 2)}\n`,
    // only @buntime/* from the Buntime registry; every other package from the usual npm registry
    ".npmrc": `@buntime:registry=${registry}\n`,
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

A Buntime plugin. It answers \`GET /${short}/*\` with JSON. \`.npmrc\` takes \`@buntime/*\` from
${registry} (the registry \`npm start\` runs holds them); everything else comes from npm.

\`\`\`sh
npm install                                # @buntime/sdk, @buntime/kernel (the test harness), bun
npm test                                   # bun test: test/plugin.test.ts in an in-process kernel
buntime plugin pack                        # writes ${tarballFilename(name, "0.1.0")}
buntime login --user "$USER" --registry ${registry}    # password: BUNTIME_REGISTRY_PASSWORD or stdin
buntime plugin publish --registry ${registry}
\`\`\`

Then, in a home whose kernel runs: \`buntime plugin install ${name} --registry ${registry}\`.
A plugin's npm \`dependencies\` may name what the kernel lends (${LENT_PACKAGES.join(", ")});
anything else is listed under \`bundleDependencies\` too, so pack carries it from node_modules
(Buntime's docs/publishing.md, "Dependencies the kernel does not lend").
`,
  };
}

/** `buntime plugin create <name>`: scaffolds a plugin package that passes its own test. */
export async function runCreate(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(args, {
    dir: { type: "string" },
    registry: HOME_OPTIONS.registry,
  });
  return runCommand("plugin create", values, CREATE_HELP, async (out) => {
    const [name] = positionals;
    if (!name) usage("plugin create needs a plugin name, e.g. buntime plugin create hello");
    if (!packageNameSchema.safeParse(name).success)
      usage(`${name} is not an npm package name (lowercase, e.g. hello or @acme/hello)`);
    const dir = resolve(values.dir ?? name.replace(/^@[^/]+\//, ""));
    if (existsSync(dir) && readdirSync(dir).length > 0) {
      throw new BuntimeError("BUNTIME_ERR_CLI_USAGE", { details: `${dir} exists and is not empty` });
    }
    const registry = registryOf(values.registry, readSettings(settingsDir()));
    // written into .npmrc and the README: only a plain http(s) URL, nothing that could add a line
    if (!URL.canParse(registry) || !/^https?:$/.test(new URL(registry).protocol) || /\s/.test(registry))
      usage(`--registry ${JSON.stringify(registry)} is not an http(s) URL`);
    const written = files(name, registry);
    for (const [path, text] of Object.entries(written)) {
      mkdirSync(join(dir, path, ".."), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    out.result(
      { name, dir, files: Object.keys(written).sort() },
      `created ${name} in ${dir}\n  cd ${dir} && npm install && npm test && buntime plugin pack`,
    );
    return 0;
  });
}
