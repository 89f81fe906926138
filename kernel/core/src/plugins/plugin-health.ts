/**
 * A plugin's declared health check (`buntime.health` in its manifest): the kernel asks the new
 * version `GET <base><path>` after its `setup` and before it serves, so a version that started
 * but cannot do its work never takes over from the one running.
 */
import { BuntimeError, isBuntimeError, type RequestContext } from "@buntime/sdk";
import { mountPlugin } from "../pipeline/mount-plugin.ts";
import type { LoadedPlugin } from "./loaded-plugin.ts";
import { pluginId } from "./plugin-source.ts";

/** How much of a failing answer's body the reason quotes. */
const QUOTED_BODY = 200;

/** The path the check asks: the manifest's `health.path` under the plugin's base. */
export function healthPath(base: string, path: string): string {
  return base === "/" ? path : `${base}${path}`;
}

/** The first line of a body, shortened: enough to say why, never a page of HTML. */
function quote(body: string): string {
  const line = body.trim().split(/\r?\n/, 1)[0] ?? "";
  return line.length > QUOTED_BODY ? `${line.slice(0, QUOTED_BODY)}…` : line;
}

/**
 * Runs `plugin`'s declared health check straight against its handlers (no other plugin's hooks:
 * the probe comes from the kernel itself, with no client address and no signed-in user). Does
 * nothing when the manifest declares none. Throws `BUNTIME_ERR_PLUGIN_HEALTH_FAILED` naming the
 * plugin, the path and why: a non-2xx answer (quoting its body's first line), no answer within
 * `timeoutMs`, nothing answering the path, or a handler that threw.
 *
 * @param origin the kernel's URL when it listens (the request's origin), else loopback
 */
export async function checkHealth(
  plugin: LoadedPlugin,
  origin: URL | string = "http://127.0.0.1",
): Promise<void> {
  const { health, base } = plugin.manifest;
  if (!health || base === undefined) return;
  const path = healthPath(base, health.path);
  const fail = (reason: string) =>
    new BuntimeError("BUNTIME_ERR_PLUGIN_HEALTH_FAILED", { plugin: pluginId(plugin), path, reason });
  const handle = mountPlugin(plugin);
  if (!handle) throw fail("the plugin has no fetch, routes or ui to answer it");
  const request = new Request(new URL(path, origin), { headers: { "user-agent": "buntime-health-check" } });
  const context: RequestContext = {
    requestId: `health-${crypto.randomUUID()}`,
    pathname: path,
    locals: {},
    clientAddress: () => undefined,
  };
  let timer: Timer | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(fail(`no answer within ${health.timeoutMs} ms`)), health.timeoutMs);
  });
  try {
    // the whole answer, body included, within the deadline: a check that streams forever fails
    const answer = async () => {
      const response = await handle(request, context);
      if (!response) return undefined;
      return { status: response.status, body: await response.text() };
    };
    const outcome = await Promise.race([answer(), deadline]);
    if (!outcome) throw fail("nothing answered it (404)");
    if (outcome.status < 200 || outcome.status > 299) {
      const said = quote(outcome.body);
      throw fail(`it answered ${outcome.status}${said ? `: ${said}` : ""}`);
    }
  } catch (error) {
    if (isBuntimeError(error) && error.code === "BUNTIME_ERR_PLUGIN_HEALTH_FAILED") throw error;
    throw fail(`it threw: ${(error as Error)?.message ?? String(error)}`);
  } finally {
    clearTimeout(timer);
  }
}
