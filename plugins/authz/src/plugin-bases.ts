/**
 * The bases plugins serve, kept current as plugins load and unload. The router names an app for
 * any `/<name>/` path, plugin bases included (the kernel serves those before apps), so the guard
 * leaves requests under a plugin's base to that plugin and to auth's own policy.
 */
import type { KernelPlugins } from "@buntime/sdk";

/** Tells whether a path belongs to a plugin rather than an app. */
export class PluginBases {
  /** Read on first use after a change: during setup, the list lacks this plugin and later ones. */
  #bases: readonly string[] | undefined;

  constructor(private readonly plugins: KernelPlugins | undefined) {
    plugins?.subscribe(() => {
      this.#bases = undefined;
    });
  }

  #read(): readonly string[] {
    return (this.plugins?.list() ?? [])
      .map((plugin) => plugin.base)
      .filter((base): base is string => base !== undefined && base !== "/" && base !== "");
  }

  /** True when `pathname` is a plugin's base or under it. */
  covers(pathname: string): boolean {
    this.#bases ??= this.#read();
    return this.#bases.some((base) => pathname === base || pathname.startsWith(`${base}/`));
  }
}
