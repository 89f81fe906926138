import { BuntimeError } from "@buntime/sdk";
import type { RegistryClient } from "@buntime/supply";
import { withHint } from "../common/output.ts";

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const kept = row[j] as number;
      row[j] = Math.min(
        (row[j] as number) + 1,
        (row[j - 1] as number) + 1,
        previous + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
      previous = kept;
    }
  }
  return row[b.length] as number;
}

/** Plugin names in the registry close to `name` (edit distance, or the same last segment), best first. */
export async function suggestNames(client: RegistryClient, name: string): Promise<string[]> {
  const short = (n: string) => n.replace(/^@[^/]+\//, "").replace(/^plugin-/, "");
  const target = short(name);
  const found = await client.search(target, { limit: 100 });
  const others = found.length ? found : await client.search("", { limit: 100 });
  return others
    .map((plugin) => ({ name: plugin.name, score: distance(short(plugin.name), target) }))
    .filter(
      (candidate) => candidate.name !== name && candidate.score <= Math.max(2, Math.floor(target.length / 3)),
    )
    .sort((a, b) => a.score - b.score || a.name.localeCompare(b.name))
    .slice(0, 3)
    .map((candidate) => candidate.name);
}

/** `BUNTIME_ERR_INSTALL_UNKNOWN_PLUGIN` for `name`, with a did-you-mean hint when the registry has close names. */
export async function unknownPlugin(client: RegistryClient, name: string): Promise<BuntimeError> {
  const error = new BuntimeError("BUNTIME_ERR_INSTALL_UNKNOWN_PLUGIN", {
    package: name,
    registry: client.registry,
  });
  const close = await suggestNames(client, name).catch(() => []);
  return close.length ? withHint(error, `did you mean ${close.join(" or ")}?`) : error;
}
