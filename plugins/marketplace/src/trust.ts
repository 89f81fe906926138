/**
 * The trust panel's evidence, each item a fact the registry proved or recorded: signatures
 * checked now, the publisher and their key, how old the package is, how often it is released,
 * and deprecations. Nothing here is a score: a person weighs the facts.
 */
import type { PluginDetail } from "./registry.ts";

/** One line of evidence: `good` facts reassure, `bad` ones warn, `info` ones just inform. */
export interface Evidence {
  kind: "good" | "bad" | "info";
  text: string;
}

const DAY = 86_400_000;

function days(ms: number): string {
  const n = Math.max(0, Math.round(ms / DAY));
  return n === 1 ? "1 day" : `${n} days`;
}

/** The evidence about a plugin, as of `now`. */
export function trustEvidence(detail: PluginDetail, now = Date.now()): Evidence[] {
  const evidence: Evidence[] = [];
  const { registry, publisher } = detail.signatures;
  evidence.push(
    registry.verified
      ? { kind: "good", text: `Registry signature verified (key ${registry.keyid})` }
      : { kind: "bad", text: `Registry signature does NOT verify (key ${registry.keyid})` },
  );
  if (!publisher) evidence.push({ kind: "info", text: "Not signed by its publisher" });
  else if (publisher.verified)
    evidence.push({
      kind: "good",
      text: `Signed by its publisher ${publisher.publisher} (key ${publisher.keyid})`,
    });
  else evidence.push({ kind: "bad", text: `Publisher signature of ${publisher.publisher} does NOT verify` });
  evidence.push({
    kind: "info",
    text: `Published by ${detail.publisher}; owners: ${detail.owners.join(", ") || "none"}`,
  });
  const created = Date.parse(detail.createdAt);
  if (Number.isFinite(created)) {
    const age = now - created;
    evidence.push({ kind: age < 7 * DAY ? "bad" : "info", text: `First published ${days(age)} ago` });
  }
  const dates = detail.versions
    .map((v) => Date.parse(v.publishedAt))
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  if (dates.length > 1) {
    const span = (dates.at(-1) as number) - (dates[0] as number);
    evidence.push({
      kind: "info",
      text: `${dates.length} releases, one every ${days(span / (dates.length - 1))} on average; the last ${days(now - (dates.at(-1) as number))} ago`,
    });
  } else {
    evidence.push({ kind: "info", text: "One release so far" });
  }
  const latest = detail.versions.find((v) => v.version === detail.version);
  if (latest?.deprecated) evidence.push({ kind: "bad", text: `Deprecated: ${latest.deprecated}` });
  const deprecated = detail.versions.filter((v) => v.deprecated).length;
  if (deprecated > 0 && !latest?.deprecated)
    evidence.push({ kind: "info", text: `${deprecated} older version(s) deprecated` });
  return evidence;
}
