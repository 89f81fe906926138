/**
 * The audit trail: who installed, upgraded, rolled back or removed what, when, with which
 * permissions accepted, and how it ended. One JSON object per line in
 * `<data>/audit.jsonl`, appended (never rewritten).
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** One line of the trail. */
export interface AuditRecord {
  at: string;
  who: string;
  action: string;
  plugins: { name: string; version?: string; replaces?: string | null }[];
  /** The permissions the person accepted, in plain words. */
  permissionsAccepted: string[];
  outcome: "done" | "failed";
  error?: string;
}

/** The trail kept in `dir`. */
export function auditTrail(dir: string) {
  const path = join(dir, "audit.jsonl");
  return {
    path,
    append(record: AuditRecord): void {
      mkdirSync(dir, { recursive: true });
      appendFileSync(path, `${JSON.stringify(record)}\n`);
    },
    /** The raw JSON Lines. */
    text(): string {
      return existsSync(path) ? readFileSync(path, "utf8") : "";
    },
    /** The newest `limit` records, newest first. */
    recent(limit = 200): AuditRecord[] {
      return this.text()
        .split("\n")
        .filter(Boolean)
        .slice(-limit)
        .reverse()
        .map((line) => JSON.parse(line) as AuditRecord);
    },
  };
}

/** The trail's type. */
export type AuditTrail = ReturnType<typeof auditTrail>;
