/**
 * The allowed arrows between packages (DESIGN.md, "Layout"): each package has a role, and its
 * source may import only packages of the roles its own role points to. Tests and benches may
 * also use what runs them (the kernel's test harness, the test kit, real plugins and the
 * registry), but nothing imports the CLI.
 */

export type Role =
  | "contract"
  | "supply"
  | "kernel"
  | "cli"
  | "distro"
  | "distribution"
  | "registry"
  | "plugin"
  | "test-kit"
  | "client"
  | "checks";

/** The role of a package, by its name; undefined for a name this repo does not know. */
export function roleOf(name: string): Role | undefined {
  if (name === "@buntime/sdk") return "contract";
  if (name === "@buntime/supply") return "supply";
  if (name === "@buntime/kernel") return "kernel";
  if (name === "@buntime/cli") return "cli";
  if (name === "@buntime/distro") return "distro";
  if (name.startsWith("@buntime/distro-")) return "distribution";
  if (name === "@buntime/registry-server") return "registry";
  if (name.startsWith("@buntime/plugin-") || name === "@buntime/shell") return "plugin";
  if (name === "@buntime/test-kit") return "test-kit";
  if (name === "@buntime/architecture") return "checks";
  if (name === "@buntime/keyval") return "client";
  return undefined;
}

/** Which roles the source of each role may import. */
export const SOURCE_ARROWS: Readonly<Record<Role, readonly Role[]>> = {
  contract: [],
  supply: ["contract"],
  kernel: ["contract"],
  cli: ["contract", "supply", "kernel", "distro", "registry"],
  distro: ["contract", "supply", "kernel"],
  distribution: ["contract", "supply", "kernel", "distro", "registry", "plugin"],
  registry: ["contract", "supply"],
  plugin: ["contract"],
  "test-kit": ["contract"],
  // clients of a plugin's HTTP API that apps bundle: they import nothing of Buntime
  client: [],
  checks: [],
};

/** What tests and benches may import on top of their package's source arrows. */
export const TEST_ARROWS: readonly Role[] = [
  "contract",
  "supply",
  "kernel",
  "registry",
  "plugin",
  "test-kit",
];
