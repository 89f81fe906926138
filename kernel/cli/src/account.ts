import { BuntimeError } from "@buntime/sdk";
import { HOME_OPTIONS, parseCommand, usage } from "./common/args.ts";
import { cliContext } from "./common/context.ts";
import { runCommand } from "./common/output.ts";
import { readSecret } from "./common/read-secret.ts";
import { writeSettings } from "./common/settings.ts";

/** The `--help` text of `buntime login`. */
export const LOGIN_HELP = `Usage: buntime login --user <name> [--registry <url>] [--email <email>] [--json]

Signs in to the registry (creating the user when the registry allows sign-up) and saves the
token in the CLI settings (~/.config/buntime/cli.json, or $BUNTIME_CLI_DIR/cli.json). The
password is read from BUNTIME_REGISTRY_PASSWORD, else from the first line of stdin (typed at a
terminal, it is not echoed).
`;

/** The `--help` text of `buntime whoami`. */
export const WHOAMI_HELP = `Usage: buntime whoami [--registry <url>] [--json]

Prints the user the token belongs to: BUNTIME_REGISTRY_TOKEN, else the one buntime login saved,
else an _authToken line for the registry in the project's or the user's .npmrc (named on stderr).
`;

/** `buntime login`. */
export async function runLogin(args: string[]): Promise<number> {
  const { values } = parseCommand(args, {
    registry: HOME_OPTIONS.registry,
    user: { type: "string" },
    email: { type: "string" },
  });
  return runCommand("login", values, LOGIN_HELP, async (out) => {
    if (!values.user) usage("login needs --user <name>");
    const context = cliContext(values);
    const password = process.env.BUNTIME_REGISTRY_PASSWORD || (await readSecret("password: "));
    if (!password) usage("no password: set BUNTIME_REGISTRY_PASSWORD or pipe it on stdin");
    const token = await context.client.login(values.user, password, values.email);
    writeSettings(
      { ...context.settings, tokens: { ...context.settings.tokens, [context.registry]: token } },
      context.settingsDir,
    );
    out.result(
      { user: values.user, registry: context.registry },
      `logged in as ${values.user} to ${context.registry}`,
    );
    return 0;
  });
}

/** `buntime whoami`. */
export async function runWhoami(args: string[]): Promise<number> {
  const { values } = parseCommand(args, { registry: HOME_OPTIONS.registry });
  return runCommand("whoami", values, WHOAMI_HELP, async (out) => {
    const context = cliContext(values);
    try {
      const user = await context.client.whoami();
      // a token from an .npmrc is the one surprise: say which file
      if (context.tokenSource?.endsWith(".npmrc")) out.note(`token from ${context.tokenSource}`);
      out.result({ user, registry: context.registry, token: context.tokenSource ?? null }, user);
    } catch (error) {
      if ((error as BuntimeError).params?.status === 401) {
        throw new BuntimeError(
          "BUNTIME_ERR_CLIENT_NOT_LOGGED_IN",
          { registry: context.registry },
          { cause: error },
        );
      }
      throw error;
    }
    return 0;
  });
}
