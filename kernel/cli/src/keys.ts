import { createPublicKey } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { BuntimeError } from "@buntime/sdk";
import { generatePublisherKeys, keyIdOf, readPrivateKey } from "@buntime/supply";
import { HOME_OPTIONS, parseCommand, usage } from "./common/args.ts";
import { cliContext, settingsFile } from "./common/context.ts";
import { runCommand } from "./common/output.ts";
import { writeSettings } from "./common/settings.ts";

/** The `--help` text of `buntime keys`. */
export const KEYS_HELP = `Usage: buntime keys <generate|register> [options]

  generate [--out <file>] [--force]   create an ed25519 publisher key (default
                                      ~/.config/buntime/publisher.key, mode 0600) and make
                                      buntime plugin publish sign with it
  register [--registry <url>]         register its public key with the registry (needs login)

Both take --json and --help.
`;

/** `buntime keys generate|register`. */
export async function runKeys(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(args, {
    registry: HOME_OPTIONS.registry,
    out: { type: "string" },
    force: { type: "boolean" },
  });
  return runCommand(`keys ${positionals[0] ?? ""}`.trim(), values, KEYS_HELP, async (out) => {
    const [action] = positionals;
    const context = cliContext(values);
    if (action === "generate") {
      const path = resolve(values.out ?? settingsFile(context, "publisher.key"));
      if (existsSync(path) && !values.force) usage(`${path} exists; use --force to replace it`);
      const keys = generatePublisherKeys();
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      writeFileSync(path, keys.privateKey, { mode: 0o600 });
      writeFileSync(`${path}.pub`, keys.publicKey);
      writeSettings({ ...context.settings, signingKey: path }, context.settingsDir);
      out.result(
        { keyid: keys.keyid, privateKey: path, publicKey: `${path}.pub` },
        `created ${path} (${keys.keyid})\nnext: buntime keys register --registry <url>`,
      );
      return 0;
    }
    if (action === "register") {
      const path = context.settings.signingKey;
      if (!path || !existsSync(path)) {
        throw new BuntimeError("BUNTIME_ERR_SIGNATURE_KEY_INVALID", {
          source: path ?? "(none)",
          details: "no publisher key",
        });
      }
      const publicKey = createPublicKey(readPrivateKey(readFileSync(path, "utf8"), path));
      const pem = publicKey.export({ type: "spki", format: "pem" }).toString();
      const keyid = await context.client.registerPublisherKey(pem);
      out.result({ keyid, registry: context.registry }, `registered ${keyid} with ${context.registry}`);
      if (keyid !== keyIdOf(publicKey)) out.note("the registry names this key differently");
      return 0;
    }
    usage(`keys needs generate or register, got ${action ?? "nothing"}`);
  });
}
