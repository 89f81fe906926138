import { BuntimeError, type ServiceAccess } from "@buntime/sdk";
import { type AwilixContainer, asFunction, asValue, createContainer, InjectionMode, Lifetime } from "awilix";

/** What the registry needs to know about a plugin to scope its access. */
export interface ServiceScope {
  readonly plugin: string;
  readonly provides: readonly string[];
  readonly consumes: readonly string[];
}

/** A plugin's services: its `ctx.services`, and the release of everything its scope holds. */
export interface PluginServices {
  readonly access: ServiceAccess;
  /** Withdraws what the plugin provided and disposes its scope (kernel service views it used). */
  release(): Promise<void>;
}

/** A kernel service made for each plugin that asks for it, and disposed when that plugin unloads. */
export interface KernelServiceFactory<T> {
  create(plugin: string): T;
  dispose?(value: T): void;
}

/**
 * The kernel's service registry on awilix: the root container holds every provided service;
 * each plugin gets a scope of its own (`createScope`) and a view that reaches only the services
 * its manifest declares. Kernel services are registered lazily and scoped, so a plugin's view of
 * one is built on its first `get` and disposed with its scope when the plugin unloads.
 */
export class ServiceRegistry {
  readonly #root: AwilixContainer = createContainer({ injectionMode: InjectionMode.PROXY, strict: true });
  /** Which plugin provides each service; kernel services are owned by "kernel". */
  readonly #owners = new Map<string, string>();
  /** Scope of each plugin's view, by the view, so a swap can tell two versions of one plugin apart. */
  readonly #provided = new WeakMap<ServiceAccess, Map<string, unknown>>();
  /** The scope the kernel's owner resolves from (tests, embedding). */
  readonly #ownerScope = this.#root.createScope().register("kernel:asker", asValue("kernel"));

  /** Registers a kernel service: one instance per plugin scope, made on first use. */
  provideKernel<T>(name: string, factory: KernelServiceFactory<T>): void {
    this.#owners.set(name, "kernel");
    const resolver = asFunction(
      ({ "kernel:asker": asker }: { "kernel:asker": string }) => factory.create(asker),
      {
        lifetime: Lifetime.SCOPED,
        dispose: factory.dispose,
      },
    );
    this.#root.register(name, resolver);
  }

  /** The services of one plugin: a scope of the root container and a view of it. */
  scopeFor(scope: ServiceScope): PluginServices {
    const container = this.#root.createScope();
    container.register("kernel:asker", asValue(scope.plugin));
    const provides = new Set(scope.provides);
    const visible = new Set([...scope.consumes, ...scope.provides]);
    const provided = new Map<string, unknown>();
    const access: ServiceAccess = {
      provide: (name, implementation) => {
        if (!provides.has(name)) {
          throw new BuntimeError("BUNTIME_ERR_SERVICE_NOT_OWNED", { plugin: scope.plugin, service: name });
        }
        const owner = this.#owners.get(name);
        if (owner !== undefined && owner !== scope.plugin) {
          throw new BuntimeError("BUNTIME_ERR_SERVICE_TAKEN", { plugin: scope.plugin, service: name, owner });
        }
        provided.set(name, implementation);
        this.#register(name, scope.plugin, implementation);
      },
      get: (name) => {
        if (!visible.has(name)) {
          throw new BuntimeError("BUNTIME_ERR_SERVICE_NOT_DECLARED", { plugin: scope.plugin, service: name });
        }
        return this.#resolve(container, name, scope.plugin) as never;
      },
      has: (name) => visible.has(name) && this.#owners.has(name),
    };
    this.#provided.set(access, provided);
    return {
      access,
      release: async () => {
        this.#withdraw(provided);
        await container.dispose();
      },
    };
  }

  #register(name: string, plugin: string, implementation: unknown): void {
    this.#owners.set(name, plugin);
    this.#root.register(name, asValue(implementation));
  }

  #resolve(container: AwilixContainer, name: string, asker: string): unknown {
    if (!this.#owners.has(name)) {
      throw new BuntimeError("BUNTIME_ERR_SERVICE_NOT_PROVIDED", { plugin: asker, service: name });
    }
    return container.resolve(name);
  }

  /** Withdraws the services in `provided` that are still registered from that same view. */
  #withdraw(provided: Map<string, unknown>): void {
    for (const [name, implementation] of provided) {
      if (this.#root.registrations[name] === undefined || this.#root.resolve(name) !== implementation)
        continue;
      this.#owners.delete(name);
      // awilix has no unregister: replace the value so the old implementation is released.
      this.#root.register(name, asValue(undefined));
    }
  }

  /** Provides again what a view provided, after a replacement that took its services over failed. */
  restore(access: ServiceAccess, plugin: string): void {
    for (const [name, implementation] of this.#provided.get(access) ?? []) {
      this.#register(name, plugin, implementation);
    }
  }

  /** Any provided service, unscoped: for the kernel's owner (tests, embedding), never for plugins. */
  resolve(name: string): unknown {
    return this.#resolve(this.#ownerScope, name, "kernel");
  }
}
