import type { MetadataStore } from "../storage/types.ts";
import { queryWords } from "./words.ts";

/** Packages matching a query's free text, with their rank; `all` when the text filters nothing. */
export type TextMatches = { all: true } | { all: false; ranks: Map<string, number> };

/**
 * Runs the free `text` of a search through the store's full-text index. Blank text matches
 * every package; text with no letters or digits (`"*"`, `:::`) matches none.
 */
export async function textMatches(metadata: MetadataStore, text: string): Promise<TextMatches> {
  if (text.trim() === "") return { all: true };
  return { all: false, ranks: await metadata.searchPackages(queryWords(text)) };
}

/** The rank of `name` in `matches` (1 when everything matches), or undefined when it does not match. */
export function rankOf(matches: TextMatches, name: string): number | undefined {
  return matches.all ? 1 : matches.ranks.get(name);
}

/** True when the text matched no package: the catalogue need not be read at all. */
export function matchesNothing(matches: TextMatches): boolean {
  return !matches.all && matches.ranks.size === 0;
}
