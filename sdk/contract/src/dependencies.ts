/**
 * The one set of version rules every Buntime package follows: when a version satisfies a range
 * (prereleases included, so `^1.0.0` admits `1.1.0-beta.1`), and the order plugins start in.
 * The kernel, the CLI and the registry all call these; none keeps its own.
 */
import semver from "semver";
import { BuntimeError } from "./errors.ts";

/** The part of a plugin that ordering looks at. */
export interface DependencyNode {
  readonly name: string;
  readonly version: string;
  readonly dependencies: Readonly<Record<string, string>>;
  readonly optionalDependencies: Readonly<Record<string, string>>;
}

/**
 * The one prerelease rule, in two halves. Checking what is there: a version satisfies a range
 * when semver says so counting prereleases, so a `2.0.0-rc.1` someone installed on purpose is
 * not refused by a dependent asking for `^2`. Choosing what to install or serve: a prerelease is
 * chosen only when the range names one (npm's rule), so `^1` never picks `1.3.0-beta` over
 * `1.2.0` by itself.
 */
export function satisfiesRange(version: string, range: string): boolean {
  return semver.satisfies(version, range, { includePrerelease: true });
}

/** True when `version` may be chosen for `range` (see `satisfiesRange` for the rule). */
export function isCandidate(version: string, range: string): boolean {
  return semver.satisfies(version, range);
}

/** Throws unless the plugin's `kernel` range admits this kernel's version. */
export function checkKernelRange(plugin: string, range: string, kernelVersion: string): void {
  if (!satisfiesRange(kernelVersion, range)) {
    throw new BuntimeError("BUNTIME_ERR_PLUGIN_KERNEL_INCOMPATIBLE", {
      plugin,
      range,
      kernel: kernelVersion,
    });
  }
}

/**
 * Orders `candidates` so that each comes after the plugins it depends on, checking every
 * dependency against `candidates` and the plugins `alreadyLoaded`. A missing or incompatible
 * dependency, or a cycle, throws an error naming the whole chain, e.g.
 * `app@1.0.0 -> auth@^1 -> storage@^2 : installed storage@1.4.0 does not satisfy`.
 * Optional dependencies that are absent are skipped.
 */
export function orderByDependencies<T extends DependencyNode>(
  candidates: readonly T[],
  alreadyLoaded: readonly DependencyNode[] = [],
): T[] {
  const byName = new Map<string, DependencyNode>(alreadyLoaded.map((node) => [node.name, node]));
  const candidateNames = new Set<string>();
  for (const node of candidates) {
    if (candidateNames.has(node.name) || byName.has(node.name)) {
      throw new BuntimeError("BUNTIME_ERR_PLUGIN_DUPLICATE", { plugin: node.name });
    }
    candidateNames.add(node.name);
    byName.set(node.name, node);
  }

  const state = new Map<string, "visiting" | "done">();
  const ordered: T[] = [];
  const names: string[] = [];
  const links: string[] = [];

  const visit = (node: DependencyNode): void => {
    state.set(node.name, "visiting");
    const edges = [
      ...Object.entries(node.dependencies).map(([name, range]) => ({ name, range, optional: false })),
      ...Object.entries(node.optionalDependencies).map(([name, range]) => ({ name, range, optional: true })),
    ];
    for (const { name, range, optional } of edges) {
      const target = byName.get(name);
      const chain = [...links, `${name}@${range}`].join(" -> ");
      if (!target) {
        if (optional) continue;
        throw new BuntimeError("BUNTIME_ERR_PLUGIN_DEPENDENCY_MISSING", { chain });
      }
      if (!satisfiesRange(target.version, range)) {
        throw new BuntimeError("BUNTIME_ERR_PLUGIN_DEPENDENCY_INCOMPATIBLE", {
          chain,
          installed: `${name}@${target.version}`,
        });
      }
      if (state.get(name) === "visiting") {
        const start = names.indexOf(name);
        throw new BuntimeError("BUNTIME_ERR_PLUGIN_DEPENDENCY_CYCLE", {
          chain: [...links.slice(start), `${name}@${range}`].join(" -> "),
        });
      }
      if (candidateNames.has(name) && !state.has(name)) {
        names.push(name);
        links.push(`${name}@${range}`);
        visit(target);
        names.pop();
        links.pop();
      }
    }
    state.set(node.name, "done");
    if (candidateNames.has(node.name)) ordered.push(node as T);
  };

  const dependedOn = new Set(
    candidates.flatMap((node) => [
      ...Object.keys(node.dependencies),
      ...Object.keys(node.optionalDependencies),
    ]),
  );
  const sorted = [...candidates].sort((a, b) => a.name.localeCompare(b.name));
  // Roots first, so an error's chain starts at the plugin nobody depends on.
  for (const node of [...sorted.filter((n) => !dependedOn.has(n.name)), ...sorted]) {
    if (state.has(node.name)) continue;
    names.push(node.name);
    links.push(`${node.name}@${node.version}`);
    visit(node);
    names.pop();
    links.pop();
  }
  return ordered;
}
