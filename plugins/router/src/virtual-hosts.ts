/**
 * Virtual hosts: `Host` → app. A request whose host (port dropped, lower case) is configured
 * reaches that app at `/`, whatever app its path would name; an exact host wins over a wildcard,
 * and a longer wildcard over a shorter one. The map comes from the router's `hosts` setting
 * and `<apps>/.hosts.json` (which the deployments API writes); the file wins where both name a
 * host, and it is read again whenever the apps folder changes, so hosts change live.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import {
  type Logger,
  VIRTUAL_HOSTS_FILE,
  type VirtualHosts as VirtualHostMap,
  virtualHostsSchema,
} from "@buntime/sdk";
import { type AppAddress, parseAppPath } from "./app-path.ts";

/** The host a request asked for, without its port, in lower case; undefined without a Host header. */
function hostOf(request: Request): string | undefined {
  const host = request.headers.get("host");
  if (host === null) return undefined;
  const end = host.startsWith("[") ? host.indexOf("]") + 1 : host.indexOf(":");
  return (end > 0 ? host.slice(0, end) : host).toLowerCase();
}

/** The apps some host names reach. */
export class VirtualHosts {
  readonly #configured: VirtualHostMap;
  readonly #file: string;
  readonly #logger: Logger;
  #exact = new Map<string, AppAddress>();
  /** `.example.com` → app, longest suffix first. */
  #wildcards: Array<[string, AppAddress]> = [];

  constructor(appsDir: string, configured: VirtualHostMap, logger: Logger) {
    this.#configured = configured;
    this.#file = join(appsDir, VIRTUAL_HOSTS_FILE);
    this.#logger = logger;
    this.#use(configured);
  }

  /** True when no host is configured: requests are routed by path alone, without reading `Host`. */
  get empty(): boolean {
    return this.#exact.size === 0 && this.#wildcards.length === 0;
  }

  /** Reads `.hosts.json` again; a broken file is logged and leaves the configured hosts alone. */
  async reload(): Promise<void> {
    const text = await readFile(this.#file, "utf8").catch(() => undefined);
    if (text === undefined) return this.#use(this.#configured);
    let parsed: VirtualHostMap;
    try {
      parsed = virtualHostsSchema.parse(JSON.parse(text));
    } catch (error) {
      this.#logger.error(`${this.#file} is not a valid hosts file; using the configured hosts only`, {
        error,
      });
      return this.#use(this.#configured);
    }
    this.#use({ ...this.#configured, ...parsed });
  }

  #use(hosts: VirtualHostMap): void {
    const exact = new Map<string, AppAddress>();
    const wildcards: Array<[string, AppAddress]> = [];
    for (const [host, target] of Object.entries(hosts)) {
      const app = parseAppPath(`/${target}`);
      if (!app) continue;
      const address: AppAddress = { name: app.name, range: app.range, base: "", rest: "/" };
      if (host.startsWith("*.")) wildcards.push([host.slice(1), address]);
      else exact.set(host, address);
    }
    wildcards.sort((a, b) => b[0].length - a[0].length);
    this.#exact = exact;
    this.#wildcards = wildcards;
  }

  /** The app `request`'s host reaches, at `pathname`; undefined when its host is no virtual host. */
  match(request: Request, pathname: string): AppAddress | undefined {
    const host = hostOf(request);
    if (host === undefined) return undefined;
    let found = this.#exact.get(host);
    if (!found) {
      for (const [suffix, app] of this.#wildcards) {
        if (host.endsWith(suffix) && host.length > suffix.length) {
          found = app;
          break;
        }
      }
    }
    return found && { ...found, rest: pathname };
  }
}
