import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { BuntimeError, packageNameSchema } from "@buntime/sdk";
import { parseCommand, usage } from "../common/args.ts";
import { runCommand } from "../common/output.ts";

/** The `--help` text of `buntime app create`. */
export const APP_CREATE_HELP = `Usage: buntime app create <name> [--dir <folder>] [--json]

Scaffolds a working app package in ./<name> (or --dir): package.json with its buntime.app
manifest, index.ts, a passing test and a README. Refuses a folder that is not empty.
`;

function files(name: string): Record<string, string> {
  const short = name.replace(/^@[^/]+\//, "");
  const packageJson = {
    name,
    version: "0.1.0",
    description: `The ${short} Buntime app`,
    type: "module",
    files: ["index.ts", "README.md"],
    keywords: ["buntime-app"],
    buntime: { app: { entry: "index.ts", ttl: "5m", timeout: "30s", visibility: "public", env: [] } },
  };
  return {
    "package.json": `${JSON.stringify(packageJson, null, 2)}\n`,
    "index.ts": `/** The ${short} app: the kernel serves it at /${short}/ once deployed. */
export default {
  fetch(request: Request): Response {
    const { pathname } = new URL(request.url);
    console.log("${short} answered", pathname); // reaches the kernel's log with the request id
    return Response.json({ app: "${short}", path: pathname });
  },
};
`,
    "test/app.test.ts": `import { expect, it } from "bun:test";
import app from "../index.ts";

it("answers with its name and the path it was asked for", async () => {
  const response = await app.fetch(new Request("http://localhost/hello"));
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({ app: "${short}", path: "/hello" });
});
`,
    "README.md": `# ${name}

A Buntime app. It answers every path with JSON.

\`\`\`sh
bun test                          # runs test/app.test.ts
buntime app deploy .              # deploys this folder into the kernel running on ./.buntime
curl http://localhost:8000/${short}/hello
buntime app publish               # publishes it to the registry (buntime login first)
\`\`\`
`,
  };
}

/** `buntime app create <name>`: scaffolds an app package that passes its own test. */
export async function runAppCreate(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(args, { dir: { type: "string" } });
  return runCommand("app create", values, APP_CREATE_HELP, async (out) => {
    const [name] = positionals;
    if (!name) usage("app create needs an app name, e.g. buntime app create hello");
    if (
      !packageNameSchema.safeParse(name).success ||
      !/^[a-z0-9][a-z0-9._~-]*$/.test(name.replace(/^@[^/]+\//, ""))
    )
      usage(`${name} is not an app name (lowercase letters, digits, . _ ~ -; e.g. hello or @acme/hello)`);
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
      `created ${name} in ${dir}\n  cd ${dir} && bun test && buntime app deploy .`,
    );
    return 0;
  });
}
