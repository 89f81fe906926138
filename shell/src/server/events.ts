/**
 * The live feed of the sidebar: a server-sent `menu` event with the whole menu whenever a plugin
 * loads, is replaced or unloads (from `kernel:plugins`), so every open shell updates without a
 * reload. The number of open feeds is bounded.
 */
import { BuntimeError, type KernelPlugins } from "@buntime/sdk";
import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import type { MenuEntry } from "./catalog.ts";

/** Open feeds at most, across all clients. */
export const MAX_FEEDS = 256;
/** A comment line this often keeps proxies from closing an idle feed. */
const KEEPALIVE_MS = 25_000;

/**
 * Builds the handler of `GET /shell/api/events`; `menu()` reads the menu at the moment of a
 * change; at most `max` feeds are open at once.
 */
export function createEventFeed(
  plugins: KernelPlugins,
  menu: () => Promise<readonly MenuEntry[]>,
  max: number = MAX_FEEDS,
) {
  let open = 0;
  return (c: Context) => {
    if (open >= max) return new BuntimeError("BUNTIME_ERR_SHELL_EVENTS_LIMIT", { limit: max }).getResponse();
    open++;
    return streamSSE(c, async (stream) => {
      let wake: () => void = () => {};
      let changed = true; // the first event is the menu as it is now
      const stop = plugins.subscribe(() => {
        changed = true;
        wake();
      });
      stream.onAbort(() => wake());
      try {
        while (!stream.aborted && !stream.closed) {
          // armed before writing, so a change during the write is not slept through
          const slept = new Promise<void>((resolve) => {
            wake = resolve;
          });
          if (changed) {
            changed = false;
            await stream.writeSSE({ event: "menu", data: JSON.stringify(await menu()) });
          }
          await Promise.race([slept, stream.sleep(KEEPALIVE_MS)]);
          if (!changed && !stream.aborted) await stream.write(": keepalive\n\n");
        }
      } finally {
        stop();
        open--;
      }
    });
  };
}
