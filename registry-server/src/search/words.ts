import { listField } from "../catalog/catalog.ts";
import type { VersionRecord } from "../storage/types.ts";

/** At most this many words of a query are searched; the rest are ignored. */
export const MAX_QUERY_WORDS = 16;
/** Characters of a readme that are indexed: its opening says what the package is. */
export const README_EXCERPT = 4000;

/**
 * The words of `text` as both search backends index and query them: lowercased runs of letters
 * and digits, compatibility-normalised and without diacritics (`Évents` is `events`), so
 * PostgreSQL's `simple` configuration and SQLite's tokenizer see the same words. Everything else (quotes, `*`, `:`, `^`, `-`, `&`, `|`, parentheses,
 * `NEAR`…) only separates words, so a query can never reach FTS5 or tsquery syntax.
 */
export function searchWords(text: string): string[] {
  return text
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

/** The distinct words of a query, at most {@link MAX_QUERY_WORDS}. */
export function queryWords(text: string): string[] {
  return [...new Set(searchWords(text))].slice(0, MAX_QUERY_WORDS);
}

/** The indexed fields of a package, each as space-separated words, from best to least weighted. */
export interface SearchDocument {
  name: string;
  keywords: string;
  categories: string;
  description: string;
  readme: string;
}

/** What is indexed for a package: its name and the manifest and readme opening of its `latest` version. */
export function searchDocument(record: VersionRecord): SearchDocument {
  const words = (text: string) => searchWords(text).join(" ");
  return {
    name: words(record.name),
    keywords: words(listField(record.manifest, "keywords").join(" ")),
    categories: words(listField(record.manifest, "categories").join(" ")),
    description: words(String(record.manifest.description ?? "")),
    readme: words(record.readme.slice(0, README_EXCERPT)),
  };
}
