import { BuntimeError, type ServiceAccess } from "@buntime/sdk";
import { type AwilixContainer, asValue, createContainer, InjectionMode } from "awilix";

/** What the registry needs to know about a plugin to scope its access. */
export interface ServiceScope {
  readonly plugin: string;
  readonly provides: readonly string[];
  readonly consumes: readonly string[];
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
  /** Service name → providing plugin, for services currently provided. */
  readonly #owners = new Map<string, string>();

  /** The `ctx.services` view for one plugin. */
  accessFor(scope: ServiceScope): ServiceAccess {
    const provides = new Set(scope.provides);
    const visible = new Set([...scope.consumes, ...scope.provides]);
    return {
      provide: (name, implementation) => {
        if (!provides.has(name)) {
          throw new BuntimeError("BUNTIME_ERR_SERVICE_NOT_OWNED", { plugin: scope.plugin, service: name });
        }
        const owner = this.#owners.get(name);
        if (owner !== undefined && owner !== scope.plugin) {
          throw new BuntimeError("BUNTIME_ERR_SERVICE_TAKEN", { plugin: scope.plugin, service: name, owner });
        }
        this.#owners.set(name, scope.plugin);
        this.#container.register(name, asValue(implementation));
      },
      get: (name) => {
        if (!visible.has(name)) {
          throw new BuntimeError("BUNTIME_ERR_SERVICE_NOT_DECLARED", { plugin: scope.plugin, service: name });
        }
        if (!this.#owners.has(name)) {
          throw new BuntimeError("BUNTIME_ERR_SERVICE_NOT_PROVIDED", { plugin: scope.plugin, service: name });
        }
        return this.#container.resolve(name);
      },
      has: (name) => visible.has(name) && this.#owners.has(name),
    };
  }

  /** Withdraws every service `plugin` provided (when it unloads). */
  withdraw(plugin: string): void {
    for (const [name, owner] of this.#owners) {
      if (owner !== plugin) continue;
      this.#owners.delete(name);
      // awilix has no unregister: replace the value so the old implementation is released.
      this.#container.register(name, asValue(undefined));
    }
  }

  /** Service name → providing plugin. */
  owners(): ReadonlyMap<string, string> {
    return this.#owners;
  }

  /** Any provided service, unscoped: for the kernel's owner (tests, embedding), never for plugins. */
  resolve(name: string): unknown {
    if (!this.#owners.has(name)) {
      throw new BuntimeError("BUNTIME_ERR_SERVICE_NOT_PROVIDED", { plugin: "kernel", service: name });
    }
    return this.#container.resolve(name);
  }
}
