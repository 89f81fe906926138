/**
 * Isolated plugins (`mode: "isolated"` in the manifest, or forced by `pluginPolicy`): the kernel
 * never imports their code. It reads the manifest, and mounts the base with a handler that
 * forwards each request to the worker pool, where a worker imports the entry and runs the
 * plugin's `setup` apart from the kernel (see `pool/worker/isolated-plugin.ts`).
 */
import {
  type AppSpec,
  BuntimeError,
  type IsolationTier,
  type PluginContext,
  type PluginDefinition,
  type PluginPackage,
} from "@buntime/sdk";
import { isolatedForwarding } from "./isolated-forward.ts";
import { type PluginSource, pluginId } from "./plugin-source.ts";

/** What the kernel decides for every isolated plugin. */
export interface IsolationSettings {
  /** The tier isolated plugins run in (the kernel's `isolation.minimum` already applied). */
  readonly tier: IsolationTier;
  /** Makes sure `tier` can run; throws the reason (e.g. no sandbox) when it cannot. */
  readonly prepare: (tier: IsolationTier) => Promise<void>;
  /** Where the values of the variables a plugin declares come from: the kernel's environment. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Kernel variables (`BUNTIME_*`: admin token, home, ...) never reach an isolated plugin. */
const KERNEL_VARIABLE = /^BUNTIME_/i;

function refuse(pkg: PluginPackage, details: string): BuntimeError {
  return new BuntimeError("BUNTIME_ERR_PLUGIN_ISOLATED", { plugin: pluginId(pkg), details });
}

/**
 * Refuses what an isolated plugin's manifest asks for and the pool cannot give it: providing
 * services, storage without the keyval service, a UI folder, kernel variables; and a base is
 * needed, since requests are all it can serve. Services it consumes are called across the
 * boundary (`pool/main/service-calls.ts`).
 */
export function checkIsolatable(pkg: PluginPackage, why: string): void {
  const { provides, consumes, permissions, base, ui } = pkg.buntime;
  const apart = `it runs isolated (${why}), in the pool apart from the kernel`;
  if (provides.length > 0) {
    throw refuse(
      pkg,
      `an isolated plugin cannot provide services (provides: ${provides.join(", ")}): ${apart}`,
    );
  }
  if (permissions.storage && !consumes.includes("keyval")) {
    throw refuse(pkg, `permissions.storage needs the keyval service in consumes: ${apart}`);
  }
  if (ui) throw refuse(pkg, `an isolated plugin cannot serve a ui folder yet: ${apart}`);
  if (base === undefined) throw refuse(pkg, `an isolated plugin needs a base (buntime.base): ${apart}`);
  const kernelVariables = permissions.env.filter((name) => KERNEL_VARIABLE.test(name));
  if (kernelVariables.length > 0) {
    throw refuse(
      pkg,
      `kernel variables never reach an isolated plugin (permissions.env: ${kernelVariables.join(", ")})`,
    );
  }
}

/**
 * A service an isolated plugin declared, as it may see it: `keyval` only as its own namespace
 * (`plugin/<name>`), since the plugin's code is not trusted with the others' keys; any other
 * service as the kernel gives it to every plugin.
 */
function scopedService(ctx: PluginContext, pkg: PluginPackage, name: string): unknown {
  if (name !== "keyval") return ctx.services.get(name as never);
  return ctx.services.get("keyval").namespace("plugin").namespace(pkg.name);
}

/** The declared variables the kernel's environment has, and nothing else. */
function declaredEnv(names: readonly string[], env: IsolationSettings["env"]): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const name of names) {
    const value = env[name];
    if (value !== undefined && !KERNEL_VARIABLE.test(name)) picked[name] = value;
  }
  return picked;
}

/** A source that never starts: its `setup` throws `error`, so the plugin is listed as failed with it. */
export function refusedSource(pkg: PluginPackage, dir: string, error: Error): PluginSource {
  return {
    pkg,
    definition: {
      setup() {
        throw error;
      },
    },
    origin: dir,
  };
}

/**
 * The source of an isolated plugin in `dir` whose entry is `entry`: its kernel-side `setup`
 * checks the tier can run, and returns a `fetch` that forwards to the pool. `why` says what made
 * it isolated (its manifest, or the policy), for messages.
 */
export function isolatedSource(
  pkg: PluginPackage,
  dir: string,
  entry: string,
  settings: IsolationSettings,
  why: string,
): PluginSource {
  const base = pkg.buntime.base as string;
  const { tier } = settings;
  const definition: PluginDefinition = {
    // refusals happen at start, so the plugin is listed as failed with the reason and the kernel goes on
    async setup(ctx: PluginContext) {
      checkIsolatable(pkg, why);
      try {
        await settings.prepare(tier);
      } catch (error) {
        throw refuse(
          pkg,
          `it runs isolated in the ${tier} tier, which cannot run here: ${error instanceof Error ? error.message : error}`,
        );
      }
      // said once at start: a pipeline hook is only refused later, when its worker loads it
      ctx.logger.info(
        `runs isolated in the ${tier} tier: ${why}; only fetch, routes and onShutdown run there`,
      );
      const spec: AppSpec = {
        name: pkg.name,
        version: pkg.version,
        entry,
        dir,
        isolation: tier,
        env: declaredEnv(pkg.buntime.permissions.env, settings.env),
        permissions: { network: pkg.buntime.permissions.network },
        plugin: {
          config: ctx.config,
          base,
          dataDir: ctx.dataDir,
          kernelVersion: ctx.kernel.version,
          consumes: pkg.buntime.consumes,
          services: { get: (name) => scopedService(ctx, pkg, name) },
        },
      };
      return {
        fetch: (request, context) =>
          ctx.pool.fetch(spec, request, isolatedForwarding(request, base, context)),
        // its workers finish what they have and run its onShutdown, not an idle timeout later
        onShutdown: () => ctx.pool.retire?.(spec),
      };
    },
  };
  const manifest = { ...pkg.buntime, mode: "isolated" as const };
  return { pkg: { ...pkg, buntime: manifest }, definition, origin: dir };
}
