/**
 * The shell's first-run page. When `@buntime/shell` runs beside auth, a person without an admin
 * yet is pointed at its `/setup` page (paste the token, choose a name and password) rather than
 * at `POST /auth/setup`: on the sign-in page, and in a log line when the shell starts after auth
 * (it loads after auth, whose setup it uses).
 */
import type { PluginContext, PluginStatus } from "@buntime/sdk";
import type { FirstRun } from "./first-run.ts";

const SHELL = "@buntime/shell";

function setupPathOf(plugin: PluginStatus | undefined): string | undefined {
  return plugin?.status === "running" ? `${plugin.base ?? "/shell"}/setup` : undefined;
}

/** The running shell's first-run page (`/shell/setup`), if the shell runs; asked each time, as it may load or unload. */
export function shellSetupPath(ctx: PluginContext): () => string | undefined {
  return () =>
    ctx.services.has("kernel:plugins")
      ? setupPathOf(
          ctx.services
            .get("kernel:plugins")
            .list()
            .find((plugin) => plugin.name === SHELL),
        )
      : undefined;
}

/**
 * While no admin exists, logs where to create one once the kernel listens (every plugin has
 * started by then, the shell after auth) and each time the shell loads later: the hooks that do
 * so, `onServerStart` and `onShutdown` (which stops listening).
 */
export function announceShellSetup(
  ctx: PluginContext,
  firstRun: FirstRun,
  tokenFile: string,
): { onServerStart(): void; onShutdown(): void } {
  const announce = (path: string | undefined) => {
    if (path === undefined || !firstRun.pending) return;
    ctx.logger.warn(
      `no admin user yet: open ${path} in a browser and paste the one-time setup token printed above (kept in ${tokenFile})`,
    );
  };
  let stop = () => {};
  return {
    onServerStart() {
      if (!ctx.services.has("kernel:plugins")) return;
      announce(shellSetupPath(ctx)());
      stop = ctx.services.get("kernel:plugins").subscribe((event) => {
        if (event.type !== "unloaded" && event.plugin.name === SHELL) announce(setupPathOf(event.plugin));
      });
    },
    onShutdown: () => stop(),
  };
}
