import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { installedPluginDir, KERNEL_VERSION } from "@buntime/kernel";
import type { CliContext } from "../common/context.ts";
import type { SignaturePolicy } from "../common/settings.ts";
import { installedDependents } from "./apply.ts";
import { findKernel } from "./kernel-link.ts";
import { readLock } from "./lock-store.ts";
import { type PluginSpec, planInstall } from "./plan.ts";

/** What a plugin may touch, as its manifest declares. */
export interface DeclaredPermissions {
  network: string[];
  env: string[];
  storage: boolean;
}

/** One plugin of a plan: what would be installed, what it replaces, and what it asks for. */
export interface PlanItem {
  name: string;
  version: string;
  /** The installed version it replaces, if any. */
  replaces: string | null;
  wantedBy: string;
  /** The kernel range of the version to install. */
  kernel: string | null;
  permissions: DeclaredPermissions;
  /** The permissions of the version it replaces, read from its installed package.json. */
  previousPermissions: DeclaredPermissions | null;
  /** The signatures the install will verify (and which the policy requires). */
  signatures: { registry: boolean; publisher: string | null };
}

/** What `buntime plugin install --plan` answers: the install, resolved, with nothing changed. */
export interface PlanReport {
  /** The kernel the plugins must suit: the one running on the home, else this CLI's. */
  kernel: { version: string; running: string | null };
  policy: SignaturePolicy;
  plugins: PlanItem[];
}

function permissionsOf(manifest: unknown): DeclaredPermissions {
  const declared = ((manifest as { permissions?: unknown } | undefined)?.permissions ??
    {}) as Partial<DeclaredPermissions>;
  return { network: declared.network ?? [], env: declared.env ?? [], storage: declared.storage === true };
}

function installedPermissions(home: string, name: string, version: string): DeclaredPermissions | null {
  const path = join(installedPluginDir(home, name, version), "package.json");
  if (!existsSync(path)) return null;
  return permissionsOf(JSON.parse(readFileSync(path, "utf8")).buntime);
}

/**
 * Resolves an install exactly as `installPlugins` would (the same plan, against the same
 * kernel, lock and dependents) and answers it without downloading or changing anything: the
 * marketplace shows this before it asks for confirmation.
 */
export async function planReport(
  context: CliContext,
  specs: readonly PluginSpec[],
  options: { policy: SignaturePolicy; upgrade?: boolean },
): Promise<PlanReport> {
  const { home, client } = context;
  const lock = await readLock(home);
  const link = await findKernel(home);
  const kernelVersion = link?.version ?? KERNEL_VERSION;
  const dependents = installedDependents(home, lock.plugins);
  const plan = await planInstall(specs, client, kernelVersion, lock.plugins, dependents, options.upgrade);
  return {
    kernel: { version: kernelVersion, running: link?.url ?? null },
    policy: options.policy,
    plugins: plan.map((p) => ({
      name: p.name,
      version: p.version,
      replaces: p.replaces ?? null,
      wantedBy: p.wantedBy,
      kernel: typeof p.doc.buntime?.kernel === "string" ? p.doc.buntime.kernel : null,
      permissions: permissionsOf(p.doc.buntime),
      previousPermissions: p.replaces ? installedPermissions(home, p.name, p.replaces) : null,
      signatures: {
        registry: (p.doc.dist.signatures ?? []).length > 0,
        publisher: p.doc.dist.publisherSignatures?.[0]?.publisher ?? null,
      },
    })),
  };
}
