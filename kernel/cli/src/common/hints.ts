import type { ErrorCode } from "@buntime/sdk";

/** What to try next, per error code; a failure may carry a more specific `hint` of its own. */
export const HINTS: Partial<Record<ErrorCode, string>> = {
  BUNTIME_ERR_CLI_USAGE: "run the command with --help to see its options",
  BUNTIME_ERR_CLIENT_UNREACHABLE:
    "check the registry URL (--registry, BUNTIME_REGISTRY) and that it is running: buntime registry start",
  BUNTIME_ERR_CLIENT_HTTP: "the registry's reason is in brackets; see docs/registry.md",
  BUNTIME_ERR_CLIENT_INTEGRITY_MISMATCH:
    "the download was altered or corrupted; retry, and report it to the registry's operator if it persists",
  BUNTIME_ERR_CLIENT_NOT_LOGGED_IN: "sign in first: buntime login --user <name>",
  BUNTIME_ERR_INSTALL_UNKNOWN_PLUGIN: "search the registry: buntime plugin search <words>",
  BUNTIME_ERR_INSTALL_NO_MATCHING_VERSION:
    "pick one of the available versions, e.g. buntime plugin install name@<version>",
  BUNTIME_ERR_INSTALL_KERNEL_INCOMPATIBLE:
    "upgrade the kernel, or ask for a version range that still supports this kernel",
  BUNTIME_ERR_INSTALL_CONFLICT:
    "install versions whose ranges agree, or remove the plugin that needs the other range",
  BUNTIME_ERR_INSTALL_NOT_INSTALLED: "see what is installed: buntime plugin list",
  BUNTIME_ERR_INSTALL_NO_PREVIOUS: "a previous version is kept only after an upgrade",
  BUNTIME_ERR_INSTALL_PERMISSION_DENIED: "run as the home's owner, or point --home at a folder you can write",
  BUNTIME_ERR_INSTALL_KERNEL_REFUSED: "nothing was changed; the kernel's log says more",
  BUNTIME_ERR_SIGNATURE_INVALID:
    "do not install it: the tarball is not what its publisher or registry signed",
  BUNTIME_ERR_SIGNATURE_MISSING:
    "install signed plugins only, or relax the policy with --signatures registry|none",
  BUNTIME_ERR_SIGNATURE_KEY_CHANGED:
    "if the registry rotated its key on purpose, remove its entry under registryKeys in the CLI settings",
  BUNTIME_ERR_SIGNATURE_KEY_INVALID: "create a key with: buntime keys generate",
  BUNTIME_ERR_TARBALL_UNSAFE_ENTRY: "the package is malicious or broken; nothing was written",
  BUNTIME_ERR_TARBALL_INVALID: "the package is broken; nothing was written",
  BUNTIME_ERR_MANIFEST_INVALID: "fix the buntime field of package.json (see docs/writing-a-plugin.md)",
  BUNTIME_ERR_PACK_FAILED: "run it in a plugin folder, or give the folder: buntime plugin pack <dir>",
  BUNTIME_ERR_PLUGIN_IN_USE: "remove the plugins that need it first, or use --force",
  BUNTIME_ERR_CLI_NO_HOME:
    "run it in the folder where the kernel runs (npm start, buntime start), or name the home: --home <dir> or BUNTIME_HOME",
  BUNTIME_ERR_CLI_NPMRC_ENV: "set the variable, or remove the line from that .npmrc",
  BUNTIME_ERR_CLI_PLUGIN_BUNDLED: "change it in the distribution and rebuild (docs/distributions.md)",
};

/** Hints for a registry's own refusal (`BUNTIME_ERR_CLIENT_HTTP`), by the registry's code. */
export const REGISTRY_HINTS: Record<string, string> = {
  BUNTIME_ERR_REGISTRY_AUTH_REQUIRED: "sign in first: buntime login --user <name>",
  BUNTIME_ERR_REGISTRY_BAD_CREDENTIALS: "sign in again: buntime login --user <name>",
  BUNTIME_ERR_REGISTRY_NOT_OWNER: "publish under a name you own, or ask an owner to add you",
  BUNTIME_ERR_REGISTRY_VERSION_EXISTS: "versions are immutable: bump version in package.json",
  BUNTIME_ERR_REGISTRY_SIGNATURE_INVALID: "register your key first: buntime keys register",
  BUNTIME_ERR_REGISTRY_TOKEN_SCOPE: "this token cannot publish: buntime login gives a publish token",
};
