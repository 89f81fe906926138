/**
 * The virtual hosts the router serves, kept in `<apps>/.hosts.json`: read, and replaced whole by
 * a rename (the router reloads it when it changes, so a change applies live and at once).
 */
import { readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { BuntimeError, VIRTUAL_HOSTS_FILE, type VirtualHosts, virtualHostsSchema } from "@buntime/sdk";

/** The hosts file of one apps folder. */
export class HostsFile {
  readonly #path: string;

  constructor(appsDir: string) {
    this.#path = join(appsDir, VIRTUAL_HOSTS_FILE);
  }

  /** The hosts as stored; `{}` when there is no file. */
  async read(): Promise<VirtualHosts> {
    const text = await readFile(this.#path, "utf8").catch(() => "{}");
    return virtualHostsSchema.parse(JSON.parse(text));
  }

  /** Replaces every host with `raw`, validated first: a bad entry is refused by name and nothing changes. */
  async replace(raw: unknown): Promise<VirtualHosts> {
    const parsed = virtualHostsSchema.safeParse(raw);
    if (!parsed.success) {
      const details = parsed.error.issues
        .map((issue) => `${issue.path.join(".") || "hosts"}: ${issue.message}`)
        .join("; ");
      throw new BuntimeError("BUNTIME_ERR_DEPLOY_UPLOAD_INVALID", { details: `hosts: ${details}` });
    }
    const temporary = `${this.#path}.${process.pid}.tmp`;
    await writeFile(temporary, `${JSON.stringify(parsed.data, null, 2)}\n`);
    await rename(temporary, this.#path);
    return parsed.data;
  }
}
