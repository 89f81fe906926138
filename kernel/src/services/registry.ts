import { BuntimeError, type ServiceAccess } from "@buntime/sdk";
import { type AwilixContainer, asValue, createContainer, InjectionMode } from "awilix";

/** What the registry needs to know about a plugin to scope its access. */
export interface ServiceScope {
  readonly plugin: string;
  readonly provides: readonly string[];
  readonly consumes: readonly string[];
}

interface Ownership {
  readonly plugin: string;
  /** The view that provided it: two versions of one plugin are told apart during a swap. */
  readonly access: ServiceAccess;
}

/**
 * The kernel's service registry: one awilix container holds every provided service, and
 * each plugin gets a view that only reaches the services its manifest declares.
 */
export class ServiceRegistry {
  readonly #container: AwilixContainer = createContainer({
    injectionMode: InjectionMode.PROXY,
    strict: true,
  });
  readonly #owners = new Map<string, Ownership>();
  /** What each view provided, so a failed swap can put the previous version's services back. */
  readonly #provided = new WeakMap<ServiceAccess, Map<string, unknown>>();

  /** The `ctx.services` view for one plugin. */
  accessFor(scope: ServiceScope): ServiceAccess {
    const provides = new Set(scope.provides);
    const visible = new Set([...scope.consumes, ...scope.provides]);
    const provided = new Map<string, unknown>();
    const access: ServiceAccess = {
      provide: (name, implementation) => {
        if (!provides.has(name)) {
          throw new BuntimeError("BUNTIME_ERR_SERVICE_NOT_OWNED", { plugin: scope.plugin, service: name });
        }
        const owner = this.#owners.get(name);
        if (owner !== undefined && owner.plugin !== scope.plugin) {
          throw new BuntimeError("BUNTIME_ERR_SERVICE_TAKEN", {
            plugin: scope.plugin,
            service: name,
            owner: owner.plugin,
          });
        }
        provided.set(name, implementation);
        this.#register(name, { plugin: scope.plugin, access }, implementation);
      },
      get: (name) => {
        if (!visible.has(name)) {
          throw new BuntimeError("BUNTIME_ERR_SERVICE_NOT_DECLARED", { plugin: scope.plugin, service: name });
        }
        return this.#resolve(name, scope.plugin) as never;
      },
      has: (name) => visible.has(name) && this.#owners.has(name),
    };
    this.#provided.set(access, provided);
    return access;
  }

  #register(name: string, owner: Ownership, implementation: unknown): void {
    this.#owners.set(name, owner);
    this.#container.register(name, asValue(implementation));
  }

  #resolve(name: string, asker: string): unknown {
    if (!this.#owners.has(name)) {
      throw new BuntimeError("BUNTIME_ERR_SERVICE_NOT_PROVIDED", { plugin: asker, service: name });
    }
    return this.#container.resolve(name);
  }

  /** Withdraws the services a view still provides (when its plugin unloads). */
  withdraw(access: ServiceAccess): void {
    for (const [name, owner] of this.#owners) {
      if (owner.access !== access) continue;
      this.#owners.delete(name);
      // awilix has no unregister: replace the value so the old implementation is released.
      this.#container.register(name, asValue(undefined));
    }
  }

  /** Provides again what a view provided, after a replacement that took its services over failed. */
  restore(access: ServiceAccess, plugin: string): void {
    for (const [name, implementation] of this.#provided.get(access) ?? []) {
      this.#register(name, { plugin, access }, implementation);
    }
  }

  /** Any provided service, unscoped: for the kernel's owner (tests, embedding), never for plugins. */
  resolve(name: string): unknown {
    return this.#resolve(name, "kernel");
  }
}
